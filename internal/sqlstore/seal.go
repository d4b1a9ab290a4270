package sqlstore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
)

// sealer encrypts sensitive fields at rest with AES-256-GCM. The keys live
// outside the database (a file, or the environment), so a stolen database
// file alone does not reveal health or next of kin.
//
// A sealer holds a ring of keys, each known by its id (KeyID). A sealed
// value names the key that sealed it in its first bytes:
//
//	"hs1" | key id (8 bytes) | GCM nonce (12 bytes) | ciphertext and tag
//
// so that during a rotation the old key opens what it sealed and the new
// key what it sealed. A value sealed before key ids (a bare nonce and
// ciphertext) is opened by trying each key of the ring. Which key seals is
// the database's to say (the current key of seal_keys), not the sealer's:
// every process that shares the database seals with the same key.
type sealer struct {
	mu     sync.RWMutex
	keys   map[string]cipher.AEAD // key id → cipher
	order  []string               // ids in the order the keys were given
	reload func() ([][]byte, error)
}

// sealMagic begins every value sealed with a key id.
const sealMagic = "hs1"

const keyIDLen = 8

// KeyID is the id of a data key: the first 8 bytes of a SHA-256 of the key,
// in hex. It names the key in the database and in sealed values without
// revealing it.
func KeyID(key []byte) string {
	h := sha256.Sum256(append([]byte("handover data key id v1\x00"), key...))
	return hex.EncodeToString(h[:keyIDLen])
}

func newSealer(keys [][]byte, reload func() ([][]byte, error)) (*sealer, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no data key given")
	}
	s := &sealer{keys: map[string]cipher.AEAD{}, reload: reload}
	if err := s.add(keys); err != nil {
		return nil, err
	}
	return s, nil
}

// add puts keys into the ring (a key it holds already is skipped).
func (s *sealer) add(keys [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, key := range keys {
		if len(key) != 32 {
			return fmt.Errorf("the data key must be 32 bytes, got %d (key %d)", len(key), i+1)
		}
		id := KeyID(key)
		if _, ok := s.keys[id]; ok {
			continue
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		s.keys[id] = aead
		s.order = append(s.order, id)
	}
	return nil
}

// first is the id of the first key given: the current key of a database
// that names none yet.
func (s *sealer) first() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.order[0]
}

// ids are the ids of the keys the ring holds.
func (s *sealer) ids() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.order)
}

// key returns the cipher of key id, reading the keys again (the key file
// may have been given a new key by 'handover key rotate-data') when the
// ring lacks it.
func (s *sealer) key(id string) (cipher.AEAD, error) {
	s.mu.RLock()
	aead, ok := s.keys[id]
	s.mu.RUnlock()
	if ok {
		return aead, nil
	}
	if s.reload != nil {
		keys, err := s.reload()
		if err != nil {
			return nil, fmt.Errorf("data key %s is not among this process's keys, and reading them again failed: %w", id, err)
		}
		if err := s.add(keys); err != nil {
			return nil, err
		}
		s.mu.RLock()
		aead, ok = s.keys[id]
		s.mu.RUnlock()
		if ok {
			return aead, nil
		}
	}
	return nil, fmt.Errorf("data key %s is not among this process's keys (%v): give the key file that holds it", id, s.ids())
}

// sealWith encrypts plain with key id, binding it to ad (the record id and
// version, the case and step, the account) so a sealed value cannot be
// moved to another place unnoticed.
func (s *sealer) sealWith(id string, plain, ad []byte) ([]byte, error) {
	aead, err := s.key(id)
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != keyIDLen {
		return nil, fmt.Errorf("malformed data key id %q", id)
	}
	n := aead.NonceSize()
	out := make([]byte, 0, len(sealMagic)+keyIDLen+n+len(plain)+aead.Overhead())
	out = append(out, sealMagic...)
	out = append(out, raw...)
	nonce := make([]byte, n)
	rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, ad), nil
}

// keyOf is the id of the key a sealed value names, "" for a value sealed
// before key ids.
func keyOf(sealed []byte) string {
	if len(sealed) < len(sealMagic)+keyIDLen || !bytes.HasPrefix(sealed, []byte(sealMagic)) {
		return ""
	}
	return hex.EncodeToString(sealed[len(sealMagic) : len(sealMagic)+keyIDLen])
}

func (s *sealer) open(sealed, ad []byte) ([]byte, error) {
	if id := keyOf(sealed); id != "" {
		aead, err := s.key(id)
		if err == nil {
			body := sealed[len(sealMagic)+keyIDLen:]
			n := aead.NonceSize()
			if len(body) < n {
				return nil, fmt.Errorf("sealed value too short")
			}
			plain, err := aead.Open(nil, body[:n], body[n:], ad)
			if err == nil {
				return plain, nil
			}
		}
		// A value sealed before key ids begins with a random nonce: it may
		// begin with the magic by chance (2^-24). Try it as one.
		if plain, lerr := s.openLegacy(sealed, ad); lerr == nil {
			return plain, nil
		}
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("sealed with data key %s, but does not open with it: changed in the database?", id)
	}
	return s.openLegacy(sealed, ad)
}

// openLegacy opens a value sealed before key ids with each key of the ring.
func (s *sealer) openLegacy(sealed, ad []byte) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.order {
		aead := s.keys[id]
		n := aead.NonceSize()
		if len(sealed) < n {
			return nil, fmt.Errorf("sealed value too short")
		}
		if plain, err := aead.Open(nil, sealed[:n], sealed[n:], ad); err == nil {
			return plain, nil
		}
	}
	return nil, fmt.Errorf("the sealed value opens with none of the data keys %v", s.order)
}

// legacyKey says which key of the ring opens a value sealed before key ids
// ("" when none does).
func (s *sealer) legacyKey(sealed, ad []byte) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.order {
		aead := s.keys[id]
		n := aead.NonceSize()
		if len(sealed) < n {
			return ""
		}
		if _, err := aead.Open(nil, sealed[:n], sealed[n:], ad); err == nil {
			return id
		}
	}
	return ""
}
