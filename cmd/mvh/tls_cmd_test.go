package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minivoice/mvh/spec/signature"
)

// tlsReceiver is a correct receiver behind a certificate of a CA made in the
// test (as a staging setup has), and the PEM file of that CA.
func tlsReceiver(t *testing.T, secret string) (url, caFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mvh test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	v := signature.NewVerifier(secret)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if v.VerifyRequest(r.Header, body) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	srv.Config.ErrorLog = nil
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/webhooks/minivoice", caFile
}

// TestTLSTargets: an https:// receiver with a certificate of its own CA is
// refused by default, reached with --ca-file, and with
// --insecure-skip-verify, by send, fixtures replay and conform alike.
func TestTLSTargets(t *testing.T) {
	const secret = "whsec_tls_0123456789abcdef"
	url, caFile := tlsReceiver(t, secret)
	fixtureDir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "minivoice", "valid-call.created.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fixtureDir, "valid-call.created.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	commands := map[string][]string{
		"send":            {"send", "--to", url, "--event", "call.created", "--secret", secret, "--retry-schedule", "0s"},
		"fixtures replay": {"fixtures", "replay", "--dir", fixtureDir, "--to", url, "--secret", secret},
		"conform":         {"conform", "--url", url, "--secret", secret, "--only", "ack.valid-delivery", "--ready-timeout", "5s"},
	}
	for name, args := range commands {
		for _, tc := range []struct {
			how   string
			extra []string
			code  int
		}{
			{"untrusted by default", nil, 1},
			{"--ca-file", []string{"--ca-file", caFile}, 0},
			{"--insecure-skip-verify", []string{"--insecure-skip-verify"}, 0},
		} {
			t.Run(name+"/"+tc.how, func(t *testing.T) {
				code, out, errOut := mvhIO(t, "", append(append([]string{}, args...), tc.extra...)...)
				if code != tc.code {
					t.Errorf("mvh %s %v: exit %d, want %d\n%s%s", name, tc.extra, code, tc.code, out, errOut)
				}
			})
		}
	}
	t.Run("unreadable --ca-file is bad input", func(t *testing.T) {
		code, _, errOut := mvhIO(t, "", "send", "--to", url, "--event", "call.created", "--ca-file", filepath.Join(t.TempDir(), "nope.pem"))
		if code != 2 || !strings.Contains(errOut, "nope.pem") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("exit %d %q; want exit 2 and one line naming nope.pem", code, errOut)
		}
	})
}
