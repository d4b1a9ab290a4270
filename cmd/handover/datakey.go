package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The data key seals health, next of kin, second-factor secrets and what a
// family told a bureau (sqlstore/seal.go). It comes, first found first:
//
//   - from the file --data-key-file names, or HANDOVER_DATA_KEY_FILE: a
//     file outside the data directory (a secret manager's mount, a
//     separate disk);
//   - from HANDOVER_DATA_KEY itself (a secret manager's environment);
//   - from DIR/data.key, made by 'handover init'.
//
// A keys file holds one key per line, as 64 hexadecimal digits or 44
// characters of standard base64; blank lines and lines beginning with '#'
// are skipped. During a rotation it holds the old and the new key
// ('handover key rotate-data'); which of them seals is the database's to
// say. A keys file must be its owner's alone (mode 0600 or 0400): one that
// others may read is refused, as ssh refuses such a private key.

// keyRing is the data keys a command was given, and where from.
type keyRing struct {
	keys  [][]byte
	file  string // the keys file, "" when the keys are in the environment
	inDir bool   // the file is DIR/data.key
	where string // for messages
}

// config is the store configuration that opens dsn with the ring: the keys
// file is read again when the database names a key the process lacks.
func (r *keyRing) config(dsn string) sqlstore.Config {
	cfg := sqlstore.Config{DSN: dsn, SealKey: r.keys[0], SealKeys: r.keys[1:]}
	if r.file != "" {
		file := r.file
		cfg.ReloadSealKeys = func() ([][]byte, error) { return readKeyFile(file) }
	}
	return cfg
}

// dataKeys reads the data keys: from file (--data-key-file), else the file
// HANDOVER_DATA_KEY_FILE names, else HANDOVER_DATA_KEY, else DIR/data.key,
// which is made with create.
func (m *Main) dataKeys(dir, file string, create bool) (*keyRing, error) {
	const op = "data key"
	if file == "" {
		file = m.Getenv("HANDOVER_DATA_KEY_FILE")
	}
	if file != "" {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) && create {
			if err := newKeyFile(file); err != nil {
				return nil, err
			}
		}
		keys, err := readKeyFile(file)
		if err != nil {
			return nil, err
		}
		return &keyRing{keys: keys, file: file, where: file}, nil
	}
	if v := m.Getenv("HANDOVER_DATA_KEY"); v != "" {
		keys, err := parseKeys(v, "HANDOVER_DATA_KEY")
		if err != nil {
			return nil, err
		}
		return &keyRing{keys: keys, where: "HANDOVER_DATA_KEY"}, nil
	}
	path := filepath.Join(dir, keyFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && create {
		if err := newKeyFile(path); err != nil {
			return nil, err
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the data key %s: it does not exist; run 'handover init' first, or give --data-key-file, HANDOVER_DATA_KEY_FILE or HANDOVER_DATA_KEY", path))
	}
	keys, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	return &keyRing{keys: keys, file: path, inDir: true, where: path}, nil
}

// newKeyFile makes a keys file holding a new key, this user's alone.
func newKeyFile(path string) error {
	k := make([]byte, 32)
	rand.Read(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.WriteString(hex.EncodeToString(k) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return errs.E("data key", errs.Invalid, fmt.Sprintf("cannot write the data key %s", path), err)
	}
	return os.Chmod(path, 0o600) // whatever the umask
}

// readKeyFile reads a keys file, refusing one that others may read.
func readKeyFile(path string) ([][]byte, error) {
	const op = "data key"
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("the data key file %s does not exist", path))
	}
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the data key file %s", path), err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("the data key file %s is not a regular file", path))
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("the data key file %s may be read or written by others (mode %04o): make it its owner's alone with 'chmod 600 %s'", path, perm, path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("cannot read the data key file %s", path), err)
	}
	return parseKeys(string(b), path)
}

// parseKeys reads keys, one per line (or separated by commas or spaces in
// an environment variable), each 64 hex digits or 44 characters of base64
// of 32 bytes. where names the source in errors; a key is never quoted.
func parseKeys(s, where string) ([][]byte, error) {
	const op = "data key"
	var keys [][]byte
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			k, err := parseKey(f)
			if err != nil {
				return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s line %d: %v", where, i+1, err))
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errs.E(op, errs.Invalid, fmt.Sprintf("%s holds no data key: want 64 hexadecimal digits or 44 characters of base64 (32 bytes)", where))
	}
	return keys, nil
}

func parseKey(f string) ([]byte, error) {
	if k, err := hex.DecodeString(f); err == nil {
		if len(k) != 32 {
			return nil, fmt.Errorf("a data key of %d bytes (%d hexadecimal digits): want 32 bytes (64 digits)", len(k), len(f))
		}
		return k, nil
	}
	k, err := base64.StdEncoding.DecodeString(f)
	if err != nil {
		return nil, fmt.Errorf("a data key is 64 hexadecimal digits or 44 characters of base64; this is neither (%d characters)", len(f))
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("a data key of %d bytes (base64): want 32 bytes", len(k))
	}
	return k, nil
}
