package main

import (
	"os"
	"testing"
)

// asMVH makes the test binary behave as mvh itself when set, so tests run
// real mvh processes (signals, exit codes, --cmd receivers) without a build.
const asMVH = "MVH_TEST_AS_MVH"

func TestMain(m *testing.M) {
	if os.Getenv(asMVH) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// mvhBinary returns an executable that is mvh for the processes the test
// starts (this test binary, with asMVH set in their inherited environment).
func mvhBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(asMVH, "1")
	return exe
}
