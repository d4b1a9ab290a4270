package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

func TestLeafRoundTrip(t *testing.T) {
	prev := Commit(TagRecord, Nonce{9}, []byte("v1"))
	tests := []struct {
		name string
		leaf Leaf
	}{
		{"minimal", Leaf{Type: KeyRegistered, Actor: "user:1", Time: testTime, Subject: "key:UA-bureau", Commitment: Commit(TagKey, Nonce{}, []byte("k"))}},
		{"full", Leaf{Type: RecordCorrected, Actor: "user:7", Time: testTime.Add(250 * time.Millisecond), Exchange: "ex:1", Subject: "record:42", Rev: 2, Commitment: Commit(TagRecord, Nonce{1}, []byte("v2")), Prev: prev}},
		{"non-UTC time is stored as UTC", Leaf{Type: RecordCreated, Actor: "user:7", Time: testTime.In(time.FixedZone("EEST", 3*3600)), Subject: "record:1", Commitment: prev}},
		{"quotes and Cyrillic in ids", Leaf{Type: "list.submitted", Actor: `user:"Ш"`, Time: testTime, Subject: "list:Київ/1", Commitment: prev}},
		{"unknown but valid type", Leaf{Type: "stage.closed", Actor: "system", Time: testTime, Subject: "stage:1", Commitment: prev}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.leaf.Validate(); err != nil {
				t.Fatal(err)
			}
			b := tc.leaf.Encode()
			got, err := DecodeLeaf(b)
			if err != nil {
				t.Fatalf("DecodeLeaf(%s): %v", b, err)
			}
			want := tc.leaf
			want.Time = want.Time.UTC()
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if string(got.Encode()) != string(b) {
				t.Errorf("re-encoding differs")
			}
		})
	}
}

func TestDecodeLeafRejects(t *testing.T) {
	good := string(Leaf{Type: RecordCreated, Actor: "user:7", Time: testTime, Subject: "record:1", Commitment: Commit(TagRecord, Nonce{}, nil)}.Encode())
	c := Commit(TagRecord, Nonce{}, nil).String()
	tests := []struct{ name, in string }{
		{"whitespace", strings.Replace(good, ",", ", ", 1)},
		{"trailing newline", good + "\n"},
		{"escaped letter", strings.Replace(good, `"user:7"`, `"\u0075ser:7"`, 1)},
		{"escaped slash", `{"actor":"a\/b","commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"unsorted", `{"commitment":"` + c + `","actor":"a","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"duplicate key", `{"actor":"a","actor":"a","commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"number value", `{"actor":"a","commitment":"` + c + `","rev":1,"subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"unknown key", `{"actor":"a","commitment":"` + c + `","name":"x","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"missing actor", `{"commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"version 2", `{"actor":"a","commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"2"}`},
		{"time with offset", `{"actor":"a","commitment":"` + c + `","subject":"s","time":"2026-05-23T12:14:00+03:00","type":"record.created","version":"1"}`},
		{"time with trailing zeros", `{"actor":"a","commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00.500Z","type":"record.created","version":"1"}`},
		{"rev with leading zero", `{"actor":"a","commitment":"` + c + `","rev":"01","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"upper-case commitment", `{"actor":"a","commitment":"` + strings.ToUpper(c) + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"empty exchange", `{"actor":"a","commitment":"` + c + `","exchange":"","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"bad type", `{"actor":"a","commitment":"` + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"Record","version":"1"}`},
		{"invalid UTF-8", "{\"actor\":\"\xff\",\"commitment\":\"" + c + `","subject":"s","time":"2026-05-23T09:14:00Z","type":"record.created","version":"1"}`},
		{"array", `[]`},
		{"null", `null`},
	}
	if _, err := DecodeLeaf([]byte(good)); err != nil {
		t.Fatalf("good leaf rejected: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeLeaf([]byte(tc.in))
			wantKind(t, err, errs.Invalid)
		})
	}
}

func TestLeafValidate(t *testing.T) {
	err := Leaf{Type: "x", Actor: "a\nb"}.Validate()
	wantKind(t, err, errs.Invalid)
	var fields []string
	for _, f := range errs.Fields(err) {
		fields = append(fields, f.Field)
	}
	if got, want := strings.Join(fields, ","), "type,time,subject,commitment,actor"; got != want {
		t.Errorf("got fields %s, want %s", got, want)
	}
}

func TestLeafTypes(t *testing.T) {
	for _, lt := range []LeafType{RecordCreated, RecordCorrected, MatchDecided, ListSubmitted, AgreementSigned, HandoverRecorded, KeyRegistered} {
		if !lt.Valid() || !lt.Known() {
			t.Errorf("%s: not valid or not known", lt)
		}
		if got, want := lt.NeedsFinality(), lt == AgreementSigned || lt == HandoverRecorded; got != want {
			t.Errorf("%s.NeedsFinality() = %v, want %v", lt, got, want)
		}
	}
}

func TestEncodeInvalidLeafIsUndecodable(t *testing.T) {
	l := testLeaf(1)
	l.Actor = "user:\xff"
	wantKind(t, l.Validate(), errs.Invalid)
	_, err := DecodeLeaf(l.Encode())
	wantKind(t, err, errs.Invalid)
	l = testLeaf(1)
	l.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	wantKind(t, l.Validate(), errs.Invalid)
}

func TestCommitKey(t *testing.T) {
	_, vkey := fixedKey(t, "UA-bureau")
	if CommitKey(vkey) != Commit(TagKey, Nonce{}, []byte(vkey)) {
		t.Error("CommitKey is not the zero-nonce commitment")
	}
	if CommitKey(vkey) == CommitKey(vkey+"x") {
		t.Error("two keys, one commitment")
	}
}
