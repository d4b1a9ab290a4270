// Package witness speaks C2SP tlog-witness for handover's log: Server is a
// witness (a party's bureau runs it with 'handover cosign --listen', and a
// standard witness such as litewitness can stand in its place), and Client
// is the log's side, which submits every new checkpoint to the configured
// witnesses and stores their cosignatures, with back-off, never holding up
// the log. The decisions are internal/audit's (WitnessAdd); this package
// adds HTTP, the state file and the clock.
package witness

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// maxBody bounds an add-checkpoint request: a checkpoint with its
// signatures and 63 proof lines is a few kilobytes.
const maxBody = 64 << 10

// State keeps the checkpoint a witness cosigned last (a signed note), for
// one log.
type State interface {
	// Load returns the stored checkpoint, or nil when there is none yet.
	Load() ([]byte, error)
	// Save stores the checkpoint durably before it returns.
	Save(note []byte) error
}

// FileState is a State in one file, replaced atomically (written to a
// temporary file in the same directory, synced, renamed).
type FileState string

// Load implements State.
func (f FileState) Load() ([]byte, error) {
	b, err := os.ReadFile(string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save implements State.
func (f FileState) Save(note []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(string(f)), ".witness-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(note); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), string(f))
}

// Server is a tlog-witness for one log: POST /add-checkpoint.
type Server struct {
	cosigner *audit.Cosigner
	keys     *audit.Keys
	state    State
	now      func() time.Time
	log      *slog.Logger

	// mu makes the check of the old size and the saving of the new
	// checkpoint one step, as the protocol requires: two requests racing
	// must not roll the witness back.
	mu sync.Mutex
}

// NewServer returns a witness that cosigns with c the checkpoints of the
// log whose keys are keys, remembering the last one in state.
func NewServer(c *audit.Cosigner, keys *audit.Keys, state State, log *slog.Logger) *Server {
	return &Server{cosigner: c, keys: keys, state: state, now: time.Now, log: log}
}

// last returns the checkpoint the witness cosigned last, checked again with
// the keys (a state file changed behind its back is refused).
func (s *Server) last() (*audit.Checkpoint, error) {
	b, err := s.state.Load()
	if err != nil {
		return nil, errs.E("witness.state", errs.Internal, "cannot read the witness's state", err)
	}
	if b == nil {
		return nil, nil
	}
	sc, err := s.keys.OpenCheckpoint(b)
	if err != nil {
		return nil, errs.E("witness.state", errs.Internal, "the witness's state does not verify with its trusted keys: "+errs.Message(err), err)
	}
	return &sc.Checkpoint, nil
}

// ServeHTTP implements the add-checkpoint call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/add-checkpoint" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "add-checkpoint takes POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "the request body is too large or could not be read", http.StatusBadRequest)
		return
	}
	req, err := audit.ParseAddCheckpoint(body)
	if err != nil {
		s.refuse(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	last, err := s.last()
	if err != nil {
		s.log.Error("witness state", "err", err)
		http.Error(w, "the witness cannot read its state", http.StatusInternalServerError)
		return
	}
	line, sc, err := audit.WitnessAdd(s.cosigner, s.keys, last, req, s.now())
	if err != nil {
		s.refuse(w, err)
		return
	}
	if err := s.state.Save(sc.Note); err != nil {
		s.log.Error("witness state", "err", err)
		http.Error(w, "the witness cannot save its state", http.StatusInternalServerError)
		return
	}
	s.log.Info("cosigned", "origin", sc.Origin, "size", sc.Size, "old", req.OldSize)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, line)
}

func (s *Server) refuse(w http.ResponseWriter, err error) {
	var r *audit.WitnessRefusal
	if !errors.As(err, &r) {
		s.log.Error("add-checkpoint", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if r.Status == audit.WitnessConflict {
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", r.Size)
		return
	}
	s.log.Warn("add-checkpoint refused", "status", r.Status, "reason", r.Reason)
	http.Error(w, r.Reason, r.Status)
}

// parseSize reads a 409's body: a size in decimal and a newline.
func parseSize(b []byte) (int64, bool) {
	s := string(b)
	if len(s) < 2 || s[len(s)-1] != '\n' {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	return n, err == nil && n >= 0
}
