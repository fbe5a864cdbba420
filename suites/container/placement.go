package container

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"os"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// placement is where the harness and a receiver container meet. It depends
// on where the engine runs relative to this process, and testcontainers'
// own guess (the bridge gateway whenever /.dockerenv exists) is wrong on
// machines where the harness runs in a container that shares the engine's
// network namespace, like this project's.
type placement struct {
	// reachHost is the host the harness reaches published ports on.
	reachHost string
	// loopback publishes ports on 127.0.0.1 only: the engine is local.
	loopback bool
	// sinkBind and sinkAdvertise are target.SinkPlacer's answer.
	sinkBind, sinkAdvertise string
}

// place works the placement out (see decide) for the engine testcontainers
// would use. TESTCONTAINERS_HOST_OVERRIDE, testcontainers' setting, names
// the host to reach published ports on, as it does for testcontainers.
func place(ctx context.Context) placement {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	e := engine{override: os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"), route: routeIP}
	cli, err := dockerClient(ctx)
	if err == nil {
		defer cli.Close()
		e.daemon = cli.DaemonHost()
		e.gateway, e.gatewayLocal = bridgeGateway(ctx, cli)
	}
	return decide(e)
}

// engine is what decides a placement: where the engine is, and whether its
// bridge gateway is an address of this machine.
type engine struct {
	daemon, override string
	gateway          string
	gatewayLocal     bool
	route            func(host, port string) string
}

// decide picks the placement:
//   - a remote engine (DOCKER_HOST=tcp://docker:2375, GitLab's
//     docker-in-docker): ports on the engine's host; the sink binds and
//     advertises this machine's address on the route to the engine;
//   - a local engine whose bridge gateway is an address of this machine:
//     ports on 127.0.0.1; the sink binds the bridge gateway, which SinkHost
//     resolves to inside containers, and nothing else;
//   - otherwise (Docker Desktop): ports on 127.0.0.1, the sink on all
//     interfaces behind SinkHost.
func decide(e engine) placement {
	u, err := url.Parse(e.daemon)
	remote := err == nil && (u.Scheme == "tcp" || u.Scheme == "http" || u.Scheme == "https") && !isLoopback(u.Hostname())
	switch {
	case remote:
		host := u.Hostname()
		if e.override != "" {
			host = e.override
		}
		ip := e.route(u.Hostname(), u.Port())
		return placement{reachHost: host, sinkBind: ip, sinkAdvertise: ip}
	case e.override != "":
		return placement{reachHost: e.override, sinkBind: "0.0.0.0", sinkAdvertise: SinkHost}
	case e.gatewayLocal:
		return placement{reachHost: "127.0.0.1", loopback: true, sinkBind: e.gateway, sinkAdvertise: SinkHost}
	}
	return placement{reachHost: "127.0.0.1", loopback: true, sinkBind: "0.0.0.0", sinkAdvertise: SinkHost}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// routeIP is this machine's address on the route to host: a UDP "dial"
// sends nothing and only picks the source address.
func routeIP(host, port string) string {
	if port == "" {
		port = "2375"
	}
	conn, err := net.Dial("udp", net.JoinHostPort(host, port))
	if err != nil {
		return "0.0.0.0"
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String()
}

// bridgeGateway returns the default bridge network's gateway address when it
// is an address of this machine, which means the engine shares this
// process's network: a sink bound there is reachable by containers (as
// SinkHost) without listening on the machine's other interfaces. Engines
// before API 1.42 leave the gateway out of the default bridge's IPAM
// config, so an address of this machine inside its subnet counts too.
func bridgeGateway(ctx context.Context, cli *testcontainers.DockerClient) (string, bool) {
	nw, err := cli.NetworkInspect(ctx, "bridge", client.NetworkInspectOptions{})
	if err != nil {
		return "", false
	}
	local := localAddrs()
	for _, cfg := range nw.Network.IPAM.Config {
		for _, a := range local {
			if a == cfg.Gateway || (!cfg.Gateway.IsValid() && cfg.Subnet.IsValid() && cfg.Subnet.Contains(a)) {
				return a.String(), true
			}
		}
	}
	return "", false
}

// localAddrs are this machine's interface addresses.
func localAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}

// atHost runs a wait strategy against reachHost instead of testcontainers'
// guess of the daemon host.
type atHost struct {
	wait.Strategy
	host string
}

func (s atHost) WaitUntilReady(ctx context.Context, t wait.StrategyTarget) error {
	return s.Strategy.WaitUntilReady(ctx, hostTarget{StrategyTarget: t, host: s.host})
}

type hostTarget struct {
	wait.StrategyTarget
	host string
}

func (t hostTarget) Host(context.Context) (string, error) { return t.host, nil }
