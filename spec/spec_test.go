package spec

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustDefault(t testing.TB) *Spec {
	t.Helper()
	s, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return s
}

// mutate returns the embedded document with old replaced by new once; old
// must occur, so a YAML edit cannot silently turn a test into a no-op.
func mutate(t testing.TB, old, new string) []byte {
	t.Helper()
	doc := string(defaultDocument)
	if !strings.Contains(doc, old) {
		t.Fatalf("embedded spec has no %q", old)
	}
	return []byte(strings.Replace(doc, old, new, 1))
}

func TestDefault(t *testing.T) {
	s := mustDefault(t)
	if s.Name() != DefaultName || s.Title() == "" || s.Version() == "" {
		t.Errorf("Name, Title, Version = %q, %q, %q", s.Name(), s.Title(), s.Version())
	}
	if !s.Document().IsOpenAPI31OrLater() {
		t.Errorf("openapi %s, want 3.1", s.Document().OpenAPI)
	}
	if !reflect.DeepEqual(DefaultDocument(), defaultDocument) {
		t.Error("DefaultDocument differs from the embedded bytes")
	}
	d := DefaultDocument()
	d[0] = 'X'
	if defaultDocument[0] == 'X' {
		t.Error("DefaultDocument returns the embedded slice itself")
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	if s, err := Load(ctx, ""); err != nil || s.Name() != DefaultName {
		t.Fatalf(`Load("") = %v, %v; want the embedded spec`, s, err)
	}
	path := filepath.Join(t.TempDir(), "copy.yaml")
	if err := os.WriteFile(path, defaultDocument, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(ctx, path)
	if err != nil || s.Name() != path {
		t.Fatalf("Load(copy) = %v, %v", s, err)
	}
	_, err = Load(ctx, filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "absent.yaml") {
		t.Fatalf("Load(absent) = %v, want fs.ErrNotExist naming the file", err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		invalid  bool // errors.Is(err, ErrInvalid)
		mention  string
	}{
		{"openapi 3.0", "openapi: 3.1.0", "openapi: 3.0.3", true, "want 3.1"},
		{"signature key missing", "  tolerance: 300s\n", "", true, "tolerance"},
		{"signature extension missing", "x-minivoice-signature:", "x-other:", true, "x-minivoice-signature"},
		{"tolerance not a duration", "tolerance: 300s", "tolerance: 300 seconds", true, "tolerance"},
		{"empty prefix", `prefix: "v1="`, `prefix: ""`, true, "prefix"},
		{"retry key missing", "  attempt-timeout: 10s\n", "", true, "attempt-timeout"},
		{"schedule backwards", "schedule: [0s, 5s, 30s,", "schedule: [0s, 50s, 30s,", true, "schedule[2]"},
		{"schedule empty", "schedule: [0s, 5s, 30s, 2m, 10m, 30m, 1h, 3h]", "schedule: []", true, "schedule"},
		{"jitter too big", "jitter: 0.1", "jitter: 1.5", true, "jitter"},
		{"timeout zero", "attempt-timeout: 10s", "attempt-timeout: 0s", true, "attempt-timeout"},
		{"webhook without post", "  call.created:\n    post:", "  call.created:\n    put:", true, "no post"},
		{"webhook without example", "            examples:\n              seed:\n                summary: Payload example", "            x-examples:\n              seed:\n                summary: Payload example", true, "no example"},
		{"malformed yaml", "  title: MiniVoice webhooks", "  title: MiniVoice: webhooks", false, "load spec"},
		{"not yaml at all", "openapi: 3.1.0", "{openapi", false, "load spec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(context.Background(), "broken.yaml", mutate(t, tt.old, tt.new))
			if err == nil {
				t.Fatal("Parse accepted a broken spec")
			}
			if errors.Is(err, ErrInvalid) != tt.invalid {
				t.Errorf("errors.Is(%v, ErrInvalid) = %v, want %v", err, !tt.invalid, tt.invalid)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.HasPrefix(err.Error(), "load spec broken.yaml: ") {
				t.Errorf("error %q should start with the file and mention %q", err, tt.mention)
			}
			if strings.Contains(err.Error(), "failed to") {
				t.Errorf("error %q says \"failed to\"", err)
			}
		})
	}
}

// TestSignatureContract pins x-minivoice-signature to issue 2's contract.
func TestSignatureContract(t *testing.T) {
	want := Scheme{
		TimestampHeader: "X-MiniVoice-Timestamp",
		SignatureHeader: "X-MiniVoice-Signature",
		EventHeader:     "X-MiniVoice-Event",
		Algorithm:       "HMAC-SHA256",
		SignedContent:   "{timestamp}.{body}",
		Encoding:        "hex",
		Prefix:          "v1=",
		Separator:       ",",
		Tolerance:       300 * time.Second,
	}
	if got := mustDefault(t).Signature(); got != want {
		t.Errorf("Signature() = %+v\nwant %+v", got, want)
	}
}

// TestRetryContract pins x-minivoice-retry to issue 2's contract.
func TestRetryContract(t *testing.T) {
	want := RetryPolicy{
		Schedule: []time.Duration{0, 5 * time.Second, 30 * time.Second, 2 * time.Minute,
			10 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour},
		Jitter:         0.1,
		AttemptTimeout: 10 * time.Second,
	}
	if got := mustDefault(t).Retry(); !reflect.DeepEqual(got, want) {
		t.Errorf("Retry() = %+v\nwant %+v", got, want)
	}
}
