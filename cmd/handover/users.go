package main

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

const userAddUsage = `
Usage: handover user add --login LOGIN --role ROLE [--party CODE] [--dir DIR | --db DSN]

Creates a user without a password and prints a one-time enrolment code,
valid for 7 days. Give it to the person in person or by phone: with it they
choose their own password, and approvers and administrators their second
factor ('handover enrol', or the page /enrol), so that nobody else ever
knows them. Roles: mediator_admin, mediator_operator, party_registrar,
party_approver, checkpoint_officer, auditor, sysadmin. Party roles need
--party.

Example:
  handover user add --login ua-registrar --role party_registrar --party UA
`

func runUserAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("user add", userAddUsage)
	sf := m.addStoreFlags(fs)
	login := fs.String("login", "", "login (lower-case letters, digits, . _ -)")
	role := fs.String("role", "", "role")
	party := fs.String("party", "", "party code, for party roles")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || *role == "" {
		return usageError{"--login and --role are required"}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: *login, Role: access.Role(*role), Party: *party})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s (%s%s) created\n", u.Login, u.Role, partySuffix(u.Party))
	printCode(m, *u.Enrolment)
	return nil
}

// printCode prints a one-time code and what to do with it.
func printCode(m *Main, c sqlstore.Code) {
	what := "enrolment code"
	if c.Purpose == access.CodeReset {
		what = "password reset code"
	}
	fmt.Fprintf(m.Stdout, "%s for %s: %s\n", what, c.Login, c.Code)
	fmt.Fprintf(m.Stdout, "(shown once, valid until %s: give it to %s in person or by phone)\n", c.ExpiresAt.Format(time.RFC3339), c.Login)
}

const userCodeUsage = `
Usage: handover user code LOGIN --purpose enrol|reset [--dir DIR | --db DSN]

Issues a one-time code for a user and prints it. An enrolment code starts
the account over (a lost phone): its password and second factor are
cleared, its sessions and tokens end, and the person enrols again. A reset
code lets the person set a new password ('handover enrol --reset' or the
page /reset); for an account with a second factor it works only with a
code of it. Earlier unused codes of the user end. Logged.

Example:
  handover user code ua-approver --purpose reset
`

func runUserCode(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("user code", userCodeUsage)
	sf := m.addStoreFlags(fs)
	purpose := fs.String("purpose", "", "enrol (start the account over) or reset (a new password)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one LOGIN"}
	}
	if *purpose != string(access.CodeEnrol) && *purpose != string(access.CodeReset) {
		return usageError{"--purpose enrol or --purpose reset"}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.IssueCode(ctx, access.Scope{}, pos[0], access.CodePurpose(*purpose))
	if err != nil {
		return err
	}
	printCode(m, c)
	return nil
}

const enrolUsage = `
Usage: handover enrol --login LOGIN --code CODE --password-file FILE [--totp-secret FILE [--totp-code CODE]]
                      [--server URL | --dir DIR | --db DSN]
       handover enrol --reset --login LOGIN --code CODE --password-file FILE [--totp-code CODE] [--server URL | …]

Sets up your account with the one-time enrolment code the administrator
gave you: your own password (from FILE) and, for approvers and
administrators, a second factor. The second factor is a TOTP secret kept
in your authenticator app: the first run without --totp-code makes one,
writes it to the --totp-secret file (mode 0600) and prints its otpauth URL
to add to the app; run again with the code the app shows. With --reset,
sets a new password with a reset code instead (and, if your account has a
second factor, its current code).

It talks to the server (--server, or HANDOVER_SERVER) or, with --dir or
--db, to the database directly.

Example:
  handover enrol --server https://handover.example.org --login ua-approver \
      --code K7QF-3MZP-WX2D-9RTA-HC4N --password-file pw.txt --totp-secret ua-approver.totp
  handover enrol --server https://handover.example.org --login ua-approver \
      --code K7QF-3MZP-WX2D-9RTA-HC4N --password-file pw.txt --totp-secret ua-approver.totp --totp-code 123456
`

func runEnrol(ctx context.Context, m *Main, args []string) error {
	const op = "enrol"
	fs := m.newFlagSet(op, enrolUsage)
	sf := m.addStoreFlags(fs)
	server := fs.String("server", m.Getenv("HANDOVER_SERVER"), "server URL (env HANDOVER_SERVER); without one, the database of --dir/--db")
	login := fs.String("login", "", "your login")
	code := fs.String("code", "", "the one-time code from the administrator")
	pwFile := fs.String("password-file", "", "file holding your new password")
	secretFile := fs.String("totp-secret", "", "file of your second factor's secret (made on the first run)")
	totpCode := fs.String("totp-code", "", "the code your authenticator app shows for it")
	reset := fs.Bool("reset", false, "set a new password with a reset code")
	if err := noArgs(parseFlags(fs, args)); err != nil {
		return err
	}
	if *login == "" || *code == "" || *pwFile == "" {
		return usageError{"--login, --code and --password-file are required"}
	}
	b, err := os.ReadFile(*pwFile)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the password file %s", *pwFile), err)
	}
	password := strings.TrimRight(string(b), "\r\n")
	secret := ""
	if *secretFile != "" && !*reset {
		sb, err := os.ReadFile(*secretFile)
		switch {
		case errors.Is(err, iofs.ErrNotExist):
			if secret, err = access.NewTOTPSecret(*login); err != nil {
				return err
			}
			if err := writeFileAtomic(*secretFile, []byte(secret+"\n"), 0o600); err != nil {
				return errs.E(op, errs.Invalid, "cannot write "+*secretFile, err)
			}
			fmt.Fprintf(m.Stdout, "second factor secret written to %s\n  otpauth://totp/handover:%s?issuer=handover&secret=%s\n", *secretFile, url.PathEscape(*login), secret)
			fmt.Fprintf(m.Stdout, "Add it to your authenticator app, then run this again with --totp-code and the code it shows.\n")
			return nil
		case err != nil:
			return errs.E(op, errs.Invalid, "cannot read "+*secretFile, err)
		}
		secret = strings.TrimSpace(string(sb))
		if *totpCode == "" {
			return usageError{"--totp-code is required with an existing --totp-secret file: the code your authenticator app shows"}
		}
	}
	if *server != "" {
		c, err := client.Anonymous(*server)
		if err != nil {
			return err
		}
		if *reset {
			err = c.ResetPassword(ctx, *login, *code, password, *totpCode)
		} else {
			_, err = c.Enrol(ctx, *login, *code, password, secret, *totpCode)
		}
		if err != nil {
			return err
		}
	} else {
		db, err := m.open(ctx, sf, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if *reset {
			err = db.ResetPassword(ctx, sqlstore.PasswordReset{Login: *login, Code: *code, Password: password, TOTPCode: *totpCode})
		} else {
			_, err = db.Enrol(ctx, sqlstore.Enrolment{Login: *login, Code: *code, Password: password, TOTPSecret: secret, TOTPCode: *totpCode})
		}
		if err != nil {
			return err
		}
	}
	if *reset {
		fmt.Fprintf(m.Stdout, "new password set for %s\n", *login)
	} else {
		fmt.Fprintf(m.Stdout, "%s enrolled\n", *login)
	}
	return nil
}

func partySuffix(p string) string {
	if p == "" {
		return ""
	}
	return ", " + p
}

func runUserList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("user list", "Usage: handover user list [--dir DIR | --db DSN]")
	sf := m.addStoreFlags(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tROLE\tPARTY\tCREATED\tSTATE")
	for _, u := range us {
		state := "active"
		if !u.DisabledAt.IsZero() {
			state = "disabled " + u.DisabledAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Login, u.Role, dash(u.Party), u.CreatedAt.Format(time.DateOnly), state)
	}
	return tw.Flush()
}

func runUserDisable(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("user disable", "Usage: handover user disable LOGIN [--dir DIR | --db DSN]")
	sf := m.addStoreFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one LOGIN"}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.DisableUser(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s disabled\n", pos[0])
	return nil
}

const tokenCreateUsage = `
Usage: handover token create --login LOGIN --password-file FILE [--totp-code CODE] [--name NAME] [--ttl DURATION] [--dir DIR | --db DSN]

Mints an API token for yourself, valid for --ttl (default 720h, at most
8784h): you give your own password (from FILE) and, as an approver or
administrator, the code your authenticator app shows, exactly as at
login. Nobody mints a token for someone else, whoever holds the data
directory. The token carries your role and party. It is printed once;
only its hash is stored. (Through a server: POST /api/v1/auth/login.)

Example:
  export HANDOVER_TOKEN=$(handover token create --login ua-registrar --password-file pw.txt --ttl 24h)
`

func runTokenCreate(ctx context.Context, m *Main, args []string) error {
	const op = "token create"
	fs := m.newFlagSet(op, tokenCreateUsage)
	sf := m.addStoreFlags(fs)
	login := fs.String("login", "", "your login")
	pwFile := fs.String("password-file", "", "file holding your password")
	totpCode := fs.String("totp-code", "", "the code your authenticator app shows (approvers and administrators)")
	name := fs.String("name", "cli", "a name to recognise the token by")
	ttl := fs.Duration("ttl", 720*time.Hour, "lifetime")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || *pwFile == "" {
		return usageError{"--login and --password-file are required: a token is minted by its owner"}
	}
	b, err := os.ReadFile(*pwFile)
	if err != nil {
		return errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the password file %s", *pwFile), err)
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.Authenticate(ctx, *login, strings.TrimRight(string(b), "\r\n"))
	if err != nil {
		return err
	}
	if u.Role.NeedsMFA() {
		if *totpCode == "" {
			return errs.E(op, errs.Unauthenticated, fmt.Sprintf("a %s needs --totp-code: the code your authenticator app shows", u.Role))
		}
		if err := db.CheckSecondFactor(ctx, u, *totpCode); err != nil {
			return err
		}
		u.MFA = true
	}
	secret, tok, err := db.CreateToken(ctx, u.Scope(), *name, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, secret)
	fmt.Fprintf(m.Stderr, "token %d for %s expires %s\n", tok.ID, tok.Login, tok.ExpiresAt.Format(time.RFC3339))
	return nil
}

func runTokenList(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("token list", "Usage: handover token list [--login LOGIN] [--dir DIR | --db DSN]")
	sf := m.addStoreFlags(fs)
	login := fs.String("login", "", "only this user's tokens")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	toks, err := db.Tokens(ctx, *login)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLOGIN\tNAME\tHINT\tEXPIRES\tSTATE")
	now := time.Now()
	for _, t := range toks {
		state := "active"
		switch {
		case !t.RevokedAt.IsZero():
			state = "revoked"
		case t.ExpiresAt.Before(now):
			state = "expired"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\n", t.ID, t.Login, t.Name, t.Hint, t.ExpiresAt.Format(time.RFC3339), state)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("token revoke", "Usage: handover token revoke ID [--dir DIR | --db DSN]")
	sf := m.addStoreFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"name one token ID"}
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return errs.E("token revoke", errs.Invalid, fmt.Sprintf("token id %q is not a number", pos[0]))
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(ctx, id, ""); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "token %d revoked\n", id)
	return nil
}
