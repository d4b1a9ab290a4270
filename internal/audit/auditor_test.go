package audit

import (
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditState is a log as stored in a database, which the tests tamper with.
type auditState struct {
	leaves      []StoredLeaf
	hashes      []StoredHash
	checkpoints [][]byte
}

func storedState(l *testLog, cps ...[]byte) *auditState {
	s := &auditState{checkpoints: cps}
	for i, d := range l.leaves {
		s.leaves = append(s.leaves, StoredLeaf{Index: int64(i), Data: d})
	}
	for i, h := range l.tree {
		s.hashes = append(s.hashes, StoredHash{Index: int64(i), Hash: h})
	}
	return s
}

func seq[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}

func (s *auditState) audit(t *testing.T, keys *Keys) *Report {
	t.Helper()
	r, err := Audit(keys, AuditInput{Leaves: seq(s.leaves), Hashes: seq(s.hashes), Checkpoints: seq(s.checkpoints)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rehash rewrites the stored hashes from the stored leaves, as an attacker
// with database access would after changing leaves.
func (s *auditState) rehash(t *testing.T) {
	var m MemoryHashes
	for _, l := range s.leaves {
		if err := m.Append(l.Data); err != nil {
			t.Fatal(err)
		}
	}
	s.hashes = nil
	for i, h := range m {
		s.hashes = append(s.hashes, StoredHash{Index: int64(i), Hash: h})
	}
}

func TestAuditClean(t *testing.T) {
	l := newTestLog(t)
	l.append(20)
	cp20 := l.cosign(l.checkpoint(), "UA-bureau")
	l.append(30)
	s := storedState(l, l.checkpointAt(5), cp20, l.checkpointAt(20), l.checkpoint())
	var visited []int64
	r, err := Audit(l.keys, AuditInput{Leaves: seq(s.leaves), Hashes: seq(s.hashes), Checkpoints: seq(s.checkpoints),
		Visit: func(i int64, leaf Leaf) error { visited = append(visited, i); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("clean log: findings %v", r.Findings)
	}
	root, _ := TreeHash(50, l.tree)
	if r.Size != 50 || r.Root != root || r.Hashes != int64(len(l.tree)) || len(r.Checkpoints) != 4 || len(visited) != 50 {
		t.Errorf("got %+v", r)
	}
	if !slices.Equal(r.Checkpoints[1].Cosigners, []string{"UA-bureau"}) {
		t.Errorf("cosigners %v", r.Checkpoints[1].Cosigners)
	}
}

// TestAuditTamper changes the stored log as someone with database access
// could, and checks that each change is found, where it was made.
func TestAuditTamper(t *testing.T) {
	l := newTestLog(t)
	l.append(40)
	cp30 := l.checkpointAt(30)
	cp40 := l.checkpoint()
	evilSkey, _, _ := generateKey(&detReader{seed: []byte("evil")}, testOrigin)
	evil, _ := NewLogSigner(evilSkey)

	tests := []struct {
		name   string
		tamper func(s *auditState)
		want   []string // "code: message fragment", in order
	}{
		{"change a leaf", func(s *auditState) {
			s.leaves[17].Data = testLeaf(1017).Encode()
		}, []string{"leaf-hash-differs: leaf 17: stored hash differs", "checkpoint-root: checkpoint 1 (size 30): root mismatch", "checkpoint-root: checkpoint 2 (size 40): root mismatch"}},
		{"change a leaf and rewrite the hashes", func(s *auditState) {
			s.leaves[35].Data = testLeaf(1035).Encode()
			s.rehash(t)
		}, []string{"checkpoint-root: checkpoint 2 (size 40): root mismatch"}},
		{"change a leaf to non-canonical bytes", func(s *auditState) {
			s.leaves[3].Data = append(s.leaves[3].Data, '\n')
			s.rehash(t)
		}, []string{"leaf-invalid: leaf 3: not a valid leaf", "checkpoint-root: checkpoint 1 (size 30)", "checkpoint-root: checkpoint 2 (size 40)"}},
		{"delete a leaf", func(s *auditState) {
			s.leaves = slices.Delete(s.leaves, 17, 18)
		}, []string{"leaf-missing: leaf 17: missing from the leaf table (the next stored leaf is 18); its stored hash is there"}},
		{"delete a leaf and its stored hashes", func(s *auditState) {
			s.leaves = slices.Delete(s.leaves, 17, 18)
			s.hashes = slices.Delete(s.hashes, int(StoredHashIndex(17)), int(StoredHashIndex(18)))
		}, []string{"leaf-missing: leaf 17: missing (the next stored leaf is 18), and so is its stored hash; leaves from 17 on were not checked",
			"checkpoint-beyond: checkpoint 1 (size 30): cannot be checked: leaves are missing from leaf 17",
			"checkpoint-beyond: checkpoint 2 (size 40): cannot be checked"}},
		{"delete a leaf and renumber", func(s *auditState) {
			s.leaves = slices.Delete(s.leaves, 17, 18)
			for i := range s.leaves {
				s.leaves[i].Index = int64(i)
			}
			s.rehash(t)
		}, []string{"checkpoint-root: checkpoint 1 (size 30): root mismatch", "checkpoint-beyond: checkpoint 2 (size 40): the log has only 39 leaves"}},
		{"reorder two leaves", func(s *auditState) {
			s.leaves[10].Data, s.leaves[11].Data = s.leaves[11].Data, s.leaves[10].Data
		}, []string{"leaf-hash-differs: leaf 10: stored hash differs", "leaf-hash-differs: leaf 11: stored hash differs", "checkpoint-root: checkpoint 1 (size 30)", "checkpoint-root: checkpoint 2 (size 40)"}},
		{"reorder two rows", func(s *auditState) {
			s.leaves[10], s.leaves[11] = s.leaves[11], s.leaves[10]
		}, []string{"leaf-missing: leaf 10: missing from the leaf table (the next stored leaf is 11)", "leaf-out-of-order: leaf 10: appears again after leaf 11"}},
		{"truncate leaves", func(s *auditState) {
			s.leaves = s.leaves[:35]
		}, []string{"leaf-missing: leaves 35–39: missing from the end of the leaf table; their stored hashes are there"}},
		{"truncate leaves, keep some hashes", func(s *auditState) {
			s.leaves = s.leaves[:35]
			s.hashes = s.hashes[:StoredHashIndex(35)+1] // leaf 35's hash only
		}, []string{"hash-missing: stored hash 68 (level 1, node 17, closed by leaf 35)", "leaf-missing: leaf 35: missing from the end",
			"checkpoint-beyond: checkpoint 2 (size 40): the log has only 36 leaves"}},
		{"truncate leaves, hashes and checkpoints", func(s *auditState) {
			s.leaves = s.leaves[:35]
			s.rehash(t)
			s.checkpoints = s.checkpoints[:1]
		}, nil}, // only the witnesses, who cosigned size 40, can tell
		{"truncate leaves, drop their hashes", func(s *auditState) {
			s.leaves = s.leaves[:35]
			s.hashes = s.hashes[:StoredHashIndex(35)]
		}, []string{"checkpoint-beyond: checkpoint 2 (size 40): the log has only 35 leaves"}},
		{"truncate leaves and hashes", func(s *auditState) {
			s.leaves = s.leaves[:35]
			s.rehash(t)
		}, []string{"checkpoint-beyond: checkpoint 2 (size 40): the log has only 35 leaves"}},
		{"change a stored interior hash", func(s *auditState) {
			s.hashes[2].Hash[0] ^= 1 // level 1, node 0
		}, []string{"hash-differs: stored hash 2 (level 1, node 0, closed by leaf 1): differs"}},
		{"delete a stored hash", func(s *auditState) {
			s.hashes = slices.Delete(s.hashes, 4, 5)
		}, []string{"hash-missing: leaf 3: stored hash: missing"}},
		{"checkpoint signed by an unregistered key", func(s *auditState) {
			c := mustPeek(t, cp40)
			forged, _ := SignCheckpoint(c, evil)
			s.checkpoints = append(s.checkpoints, forged)
		}, []string{"checkpoint-signature: checkpoint 3 (size 40): checkpoint is not signed by the log key handover.test/log: signed only by unknown key(s) handover.test/log+"}},
		{"checkpoint edited", func(s *auditState) {
			s.checkpoints[1] = []byte(strings.Replace(string(s.checkpoints[1]), "\n40\n", "\n39\n", 1))
		}, []string{"checkpoint-signature: checkpoint 2 (size 39): checkpoint signature by handover.test/log does not verify"}},
		{"checkpoints out of order", func(s *auditState) {
			s.checkpoints = [][]byte{cp40, cp30}
		}, []string{"checkpoint-shrank: checkpoint 2 (size 30): smaller than checkpoint 1 (size 40)"}},
		{"checkpoint for a forked log", func(s *auditState) {
			c := mustPeek(t, cp40)
			c.Root[0] ^= 1
			forked, _ := SignCheckpoint(c, l.signer)
			s.checkpoints = append(s.checkpoints, forked)
		}, []string{"checkpoint-root: checkpoint 3 (size 40): root mismatch", "checkpoint-fork: checkpoint 3 (size 40): different root from checkpoint 2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := storedState(l, cp30, cp40)
			tc.tamper(s)
			r := s.audit(t, l.keys)
			var got []string
			for _, f := range r.Findings {
				got = append(got, string(f.Code)+": "+f.Message)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d:\ngot  %s\nwant %s…", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAuditReadError(t *testing.T) {
	l := newTestLog(t)
	boom := errors.New("disk on fire")
	leaves := func(yield func(StoredLeaf, error) bool) { yield(StoredLeaf{}, boom) }
	if _, err := Audit(l.keys, AuditInput{Leaves: leaves}); !errors.Is(err, boom) {
		t.Errorf("got %v, want the read error", err)
	}
}

func TestAuditFindingLimit(t *testing.T) {
	l := newTestLog(t)
	l.append(MaxFindings + 10)
	s := storedState(l)
	for i := range s.hashes {
		s.hashes[i].Hash[0] ^= 1
	}
	r := s.audit(t, l.keys)
	if len(r.Findings) != MaxFindings || r.Omitted == 0 || r.OK() {
		t.Errorf("findings %d, omitted %d", len(r.Findings), r.Omitted)
	}
}

func TestReportSummary(t *testing.T) {
	l := newTestLog(t)
	l.append(3)
	s := storedState(l, l.checkpoint())
	if got := s.audit(t, l.keys).Summary(); !strings.HasPrefix(got, "OK: 3 leaves, 4 stored hashes, 1 checkpoints verified; root ") {
		t.Errorf("got %q", got)
	}
	s.leaves[1].Data = testLeaf(9).Encode()
	want := "FAILED: 2 problem(s) in a log of 3 leaves\n  leaf 1: stored hash differs from the hash of the leaf's bytes\n  checkpoint 1 (size 3): root mismatch: the signed root is not the root of the stored leaves\n"
	if got := s.audit(t, l.keys).Summary(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCheckpointSchedule(t *testing.T) {
	s := CheckpointSchedule{EveryLeaves: 100, Every: time.Minute}
	for _, tc := range []struct {
		lastSize, size int64
		after          time.Duration
		want           bool
	}{
		{10, 10, time.Hour, false},
		{10, 50, time.Second, false},
		{10, 110, time.Second, true},
		{10, 11, time.Minute, true},
	} {
		if got := s.Due(tc.lastSize, testTime, tc.size, testTime.Add(tc.after)); got != tc.want {
			t.Errorf("Due(%d, %d, +%v) = %v, want %v", tc.lastSize, tc.size, tc.after, got, tc.want)
		}
	}
}

func (l *testLog) appendLeaf(leaf Leaf) {
	l.t.Helper()
	data := leaf.Encode()
	if err := l.tree.Append(data); err != nil {
		l.t.Fatal(err)
	}
	l.leaves = append(l.leaves, data)
}

// checkpointLeaves appends the leaves the server writes after checkpoint
// msg: log.checkpoint, and log.cosigned for each of its cosignatures.
func (l *testLog) checkpointLeaves(msg []byte) {
	l.t.Helper()
	c, err := PeekCheckpoint(msg)
	if err != nil {
		l.t.Fatal(err)
	}
	l.appendLeaf(Leaf{Type: LogCheckpoint, Actor: "system", Time: testTime, Subject: CheckpointSubject(c.Size), Commitment: CommitCheckpoint(c)})
	for i, line := range signatureLines(msg) {
		if i == 0 {
			continue // the log's own signature
		}
		l.appendLeaf(Leaf{Type: LogCosigned, Actor: "key:x", Time: testTime, Subject: CheckpointSubject(c.Size), Commitment: CommitCosignature(line)})
	}
}

// TestAuditCheckpointsKnown checks that the audit refuses a log shorter
// than a checkpoint it can learn of, from the log's own checkpoint leaves
// or from a checkpoint held outside the database, and says so when it has
// none.
func TestAuditCheckpointsKnown(t *testing.T) {
	l := newTestLog(t)
	l.append(10)
	cp10 := l.cosign(l.checkpoint(), "UA-bureau")
	l.checkpointLeaves(cp10) // leaves 10, 11
	l.append(8)
	cp20 := l.cosign(l.checkpoint(), "UA-bureau", "RU-bureau")
	l.checkpointLeaves(cp20) // leaves 20, 21, 22
	l.append(7)
	cp30 := l.checkpoint()
	evilSkey, _, _ := generateKey(&detReader{seed: []byte("evil")}, testOrigin)
	evil, _ := NewLogSigner(evilSkey)
	forged, _ := SignCheckpoint(mustPeek(t, cp30), evil)

	tests := []struct {
		name     string
		tamper   func(s *auditState)
		external []External
		want     []string // "code: message fragment", in order
		warn     string
	}{
		{"clean", func(s *auditState) {}, nil, nil, ""},
		{"clean, with an outside checkpoint", func(s *auditState) {}, []External{{"ua.state", cp20}}, nil, ""},
		{"latest checkpoint deleted", func(s *auditState) {
			s.checkpoints = s.checkpoints[:1]
		}, nil, []string{"checkpoint-missing: checkpoint of size 20, which leaf 20 records as made, is missing from the stored checkpoints"}, ""},
		{"every checkpoint deleted", func(s *auditState) {
			s.checkpoints = nil
		}, nil, []string{"checkpoint-missing: checkpoint of size 10, which leaf 10 records", "checkpoint-missing: checkpoint of size 20, which leaf 20 records"}, "no stored checkpoint verified"},
		{"a cosignature deleted", func(s *auditState) {
			s.checkpoints[1] = l.cosign(l.checkpointAt(20), "RU-bureau")
		}, nil, []string{"cosignature-missing: leaf 21 records a cosignature on the checkpoint of size 20 that is no longer stored"}, ""},
		{"tail truncated with the checkpoints, an outside checkpoint held", func(s *auditState) {
			s.leaves = s.leaves[:15]
			s.rehash(t)
			s.checkpoints = s.checkpoints[:1]
		}, []External{{"ru.state", cp20}}, []string{"log-rolled-back: the log has only 15 leaves, but ru.state holds a checkpoint of size 20 signed by the log key (cosigned by UA-bureau, RU-bureau)"}, ""},
		{"tail truncated and the log rewritten", func(s *auditState) {
			s.leaves = s.leaves[:25]
			s.leaves[24].Data = testLeaf(999).Encode()
			s.rehash(t)
		}, []External{{"cp30.txt", cp30}}, []string{"log-rolled-back: the log has only 25 leaves, but cp30.txt holds a checkpoint of size 30"}, ""},
		{"an outside checkpoint of another history", func(s *auditState) {
			s.leaves[24].Data = testLeaf(999).Encode()
			s.rehash(t)
		}, []External{{"cp30.txt", cp30}}, []string{"external-fork: cp30.txt holds a checkpoint of size 30 whose root is not the root of the stored leaves"}, ""},
		{"an outside checkpoint not signed by the log", func(s *auditState) {}, []External{{"forged.txt", forged}},
			[]string{"external-invalid: checkpoint from forged.txt: checkpoint is not signed by the log key"}, ""},
		{"an outside checkpoint the database lacks", func(s *auditState) {}, []External{{"cp30.txt", cp30}},
			[]string{"checkpoint-missing: checkpoint of size 30 from cp30.txt (signed by the log key) is not among the stored checkpoints"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := storedState(l, cp10, cp20)
			tc.tamper(s)
			r, err := Audit(l.keys, AuditInput{Leaves: seq(s.leaves), Hashes: seq(s.hashes), Checkpoints: seq(s.checkpoints), External: tc.external})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, string(f.Code)+": "+f.Message)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("finding %d:\ngot  %s\nwant %s…", i, got[i], tc.want[i])
				}
			}
			if w := strings.Join(r.Warnings, "\n"); (tc.warn == "") != (w == "") || !strings.Contains(w, tc.warn) {
				t.Errorf("warnings %q, want %q", w, tc.warn)
			}
			if tc.name == "clean, with an outside checkpoint" && (len(r.External) != 1 || r.External[0].Size != 20 || !slices.Equal(r.External[0].Cosigners, []string{"UA-bureau", "RU-bureau"})) {
				t.Errorf("external %+v", r.External)
			}
		})
	}
}
