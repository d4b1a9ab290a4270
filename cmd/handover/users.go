package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

// userCommands are the administrative commands that work on the database
// directly: whoever runs them holds the data directory.
func userCommands() []command {
	return []command{
		{name: "user add", summary: "create a user with a role (and party)", usage: userAddUsage, run: runUserAdd},
		{name: "user list", summary: "list users", usage: "Usage: handover user list [--dir DIR | --db DSN]\n\nExample:\n  handover user list --dir /var/lib/handover", run: runUserList},
		{name: "user disable", summary: "disable a user; their tokens stop working", usage: "Usage: handover user disable LOGIN [--dir DIR | --db DSN]\n\nExample:\n  handover user disable ua-registrar", run: runUserDisable},
		{name: "token create", summary: "create an expiring API token for a user", usage: tokenCreateUsage, run: runTokenCreate},
		{name: "token list", summary: "list API tokens (never their secrets)", usage: "Usage: handover token list [--login LOGIN] [--dir DIR | --db DSN]\n\nExample:\n  handover token list --login ua-registrar", run: runTokenList},
		{name: "token revoke", summary: "revoke an API token by id", usage: "Usage: handover token revoke ID [--dir DIR | --db DSN]\n\nExample:\n  handover token revoke 7", run: runTokenRevoke},
	}
}

const userAddUsage = `
Usage: handover user add --login LOGIN --role ROLE [--party CODE] [--password-file FILE] [--dir DIR | --db DSN]

Creates a user. Roles: mediator_admin, mediator_operator, party_registrar,
party_approver, checkpoint_officer, auditor, sysadmin. Party roles need
--party. Without a password file a password is generated and printed once.

Example:
  handover user add --login ua-registrar --role party_registrar --party UA
`

func runUserAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("user add", userAddUsage)
	sf := m.addStoreFlags(fs)
	login := fs.String("login", "", "login (lower-case letters, digits, . _ -)")
	role := fs.String("role", "", "role")
	party := fs.String("party", "", "party code, for party roles")
	pwFile := fs.String("password-file", "", "file holding the password (default: generate one)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" || *role == "" {
		return usageError{"--login and --role are required"}
	}
	password, generated, err := readPassword(*pwFile)
	if err != nil {
		return err
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, sqlstore.NewUser{Login: *login, Role: access.Role(*role), Party: *party, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s (%s%s) created\n", u.Login, u.Role, partySuffix(u.Party))
	if generated {
		fmt.Fprintf(m.Stdout, "password: %s\n(shown once: store it now)\n", password)
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
Usage: handover token create --login LOGIN [--name NAME] [--ttl DURATION] [--dir DIR | --db DSN]

Creates an API token for a user, valid for --ttl (default 720h, at most
8784h). The token carries the user's role and party. It is printed once;
only its hash is stored.

Example:
  export HANDOVER_TOKEN=$(handover token create --login ua-registrar --ttl 24h)
`

func runTokenCreate(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("token create", tokenCreateUsage)
	sf := m.addStoreFlags(fs)
	login := fs.String("login", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	ttl := fs.Duration("ttl", 720*time.Hour, "lifetime")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *login == "" {
		return usageError{"--login is required"}
	}
	db, err := m.open(ctx, sf, false)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, tok, err := db.CreateToken(ctx, *login, *name, *ttl)
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
