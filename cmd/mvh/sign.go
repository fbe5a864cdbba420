package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// signFlags are the inputs of `mvh sign`.
type signFlags struct {
	secrets   []string
	timestamp string
	bodyFile  string
}

func newSignCmd(a *app) *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Print the signature headers MiniVoice would send for a body",
		Long: `sign prints the two headers a signed delivery carries: the timestamp and
one v1 entry per secret, computed over "<timestamp>.<raw body bytes>" with
HMAC-SHA256 keyed by the secret's UTF-8 bytes exactly as given (a whsec_
prefix is part of the key). The body is read from --body-file or stdin and
used byte for byte: no trailing newline is added or removed.`,
		Example: `  printf '%s' '{"event":"call.created"}' | mvh sign --secret whsec_minivoice_test --timestamp 1780056000
  mvh sign --secret old --secret new --timestamp 1780056000 --body-file body.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(f.secrets) == 0 {
				return usagef("--secret: at least one secret is required")
			}
			if err := checkSecrets(f.secrets); err != nil {
				return err
			}
			ts, err := parseTimestampFlag(f.timestamp, time.Now)
			if err != nil {
				return err
			}
			body, err := readSignedBody(a, f.bodyFile)
			if err != nil {
				return err
			}
			s, err := a.spec(cmd.Context())
			if err != nil {
				return err
			}
			sc := s.Signature().Signing().WithDefaults()
			_, err = fmt.Fprintf(a.stdout, "%s: %d\n%s: %s\n",
				sc.TimestampHeader, ts, sc.SignatureHeader, sc.Sign(ts, body, f.secrets...))
			return err
		},
	}
	cmd.Flags().StringArrayVar(&f.secrets, "secret", nil, "signing secret, repeat for rotation (one v1 entry each, in order)")
	cmd.Flags().StringVar(&f.timestamp, "timestamp", "", "integer Unix seconds to sign at (default: now)")
	cmd.Flags().StringVar(&f.bodyFile, "body-file", "", `file holding the exact body bytes (default: stdin; "-" also means stdin)`)
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

// parseTimestampFlag reads --timestamp: integer Unix seconds, or now when empty.
func parseTimestampFlag(s string, now func() time.Time) (int64, error) {
	if s == "" {
		return now().Unix(), nil
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ts < 0 || strconv.FormatInt(ts, 10) != s {
		return 0, usagef("--timestamp %q: want integer Unix seconds, e.g. 1780056000", s)
	}
	return ts, nil
}

// readSignedBody returns the exact bytes of --body-file, or of stdin when the flag
// is empty or "-". An unreadable file is bad input (exit 2).
func readSignedBody(a *app, path string) ([]byte, error) {
	if path == "" || path == "-" {
		body, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, usagef("body from stdin: %w", err)
		}
		return body, nil
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--body-file: %w", err)
	}
	return body, nil
}
