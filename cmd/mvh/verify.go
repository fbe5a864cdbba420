package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/minivoice/mvh/spec/signature"
)

// verifyFlags are the inputs of `mvh verify`.
type verifyFlags struct {
	secrets   []string
	timestamp string
	signature string
	bodyFile  string
	now       string
	tolerance time.Duration
}

func newVerifyCmd(a *app) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a delivery's signature headers against a body and secrets",
		Long: `verify checks the X-MiniVoice-Timestamp and X-MiniVoice-Signature values of a
delivery the way a correct receiver does: the timestamp must be within the
tolerance of now (either way), and any v1 entry must match the HMAC of any
given secret; entries of other schemes are ignored. It prints "valid" and
exits 0, or "invalid: <reason>" and exits 1. --now freezes the clock so a
captured delivery can be checked later.`,
		Example: `  printf '%s' '{"event":"call.created"}' | mvh verify --secret whsec_minivoice_test \
    --timestamp 1780056000 --now 1780056000 \
    --signature v1=21054e4af817ed83318fe7f57aa5cc4a44ed3bb803080a767accb290641115d8
  mvh verify --secret old --secret new --timestamp "$TS" --signature "$SIG" --body-file body.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := f.verifier()
			if err != nil {
				return err
			}
			s, err := a.spec(cmd.Context())
			if err != nil {
				return err
			}
			v.Scheme = s.Signature().Signing()
			if !cmd.Flags().Changed("timestamp") || !cmd.Flags().Changed("signature") {
				return usagef("--timestamp and --signature: both are required (pass \"\" for an absent header)")
			}
			body, err := readSignedBody(a, f.bodyFile)
			if err != nil {
				return err
			}
			if err := v.Verify(f.timestamp, f.signature, body); err != nil {
				fmt.Fprintf(a.stdout, "invalid: %s\n", err)
				return silentFailure
			}
			_, err = fmt.Fprintln(a.stdout, "valid")
			return err
		},
	}
	cmd.Flags().StringArrayVar(&f.secrets, "secret", nil, "secret the receiver holds, repeat for rotation")
	cmd.Flags().StringVar(&f.timestamp, "timestamp", "", "value of the X-MiniVoice-Timestamp header")
	cmd.Flags().StringVar(&f.signature, "signature", "", "value of the X-MiniVoice-Signature header")
	cmd.Flags().StringVar(&f.bodyFile, "body-file", "", `file holding the exact body bytes (default: stdin; "-" also means stdin)`)
	cmd.Flags().StringVar(&f.now, "now", "", "integer Unix seconds to use as the current time (default: the clock)")
	cmd.Flags().DurationVar(&f.tolerance, "tolerance", 0, "how far the timestamp may be from now, either way (default: the contract's)")
	fromEnv(cmd, envSecret, "secret")
	return cmd
}

// verifier builds the Verifier the flags describe; bad flags exit 2.
func (f verifyFlags) verifier() (*signature.Verifier, error) {
	if len(f.secrets) == 0 {
		return nil, usagef("--secret: at least one secret is required")
	}
	if err := checkSecrets(f.secrets); err != nil {
		return nil, err
	}
	if f.tolerance < 0 {
		return nil, usagef("--tolerance %s: want a positive duration (or none: the contract's)", f.tolerance)
	}
	v := &signature.Verifier{Secrets: f.secrets, Tolerance: f.tolerance}
	if f.now != "" {
		n, err := strconv.ParseInt(f.now, 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != f.now {
			return nil, usagef("--now %q: want integer Unix seconds", f.now)
		}
		v.Now = func() time.Time { return time.Unix(n, 0) }
	}
	return v, nil
}
