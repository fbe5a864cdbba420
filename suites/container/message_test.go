package container_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/suites/container"
	"github.com/minivoice/mvh/suites/target"
)

// TestStartErrorsNameTheTargetOnce: a target that cannot start says what it
// is once (never "image X: image X: ...") and never the internal tag a
// --dockerfile build is given.
func TestStartErrorsNameTheTargetOnce(t *testing.T) {
	requireDocker(t)
	broken := t.TempDir()
	if err := os.WriteFile(broken+"/Dockerfile", []byte("FROM scratch\nCOPY nothing /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		o          container.Options
		name, want string
	}{
		{container.Options{Image: "mvh-test/absent:none"}, "image mvh-test/absent:none", "not present locally"},
		{container.Options{Dockerfile: broken}, "dockerfile " + broken, "docker build: "},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		tc.o.ReadyTimeout = 5 * time.Second
		_, err := container.NewTarget(tc.o).Start(ctx, target.Params{Secret: testSecret})
		cancel()
		if err == nil {
			t.Fatalf("%s started", tc.name)
		}
		msg := err.Error()
		if strings.Count(msg, tc.name) != 1 || !strings.Contains(msg, tc.want) || strings.Contains(msg, "mvh-build/") || strings.Contains(msg, "build image:") {
			t.Errorf("%s: %q; want it named once, %q, no internal build name", tc.name, msg, tc.want)
		}
	}
}
