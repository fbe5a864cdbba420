package delivery

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"
)

// dropWait bounds how long SendAndDrop waits for the answer to begin.
const dropWait = 10 * time.Second

// SendAndDrop writes the whole request on a fresh connection, waits until the
// receiver starts answering (so it has handled the request) or ctx ends, and
// closes the connection without reading the answer: the "lost ack" of a
// network that delivered the request but not the response. The sender counts
// the attempt as failed and redelivers, which a receiver must absorb without
// a second business record.
func SendAndDrop(ctx context.Context, req *http.Request) error {
	host := req.URL.Host
	if req.URL.Port() == "" {
		if req.URL.Scheme == "https" {
			host = net.JoinHostPort(req.URL.Hostname(), "443")
		} else {
			host = net.JoinHostPort(req.URL.Hostname(), "80")
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("lost ack to %s: %w", req.URL, err)
	}
	defer conn.Close()
	if req.URL.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: req.URL.Hostname()})
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("lost ack to %s: %w", req.URL, err)
		}
		conn = tc
	}
	deadline := time.Now().Add(dropWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	req.Close = true
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("lost ack to %s: %w", req.URL, err)
	}
	var first [1]byte
	_, _ = conn.Read(first[:]) // the answer begins (or the deadline passes); drop it unread
	return nil
}
