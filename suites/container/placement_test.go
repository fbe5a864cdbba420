package container

import "testing"

// TestDecide covers the engine placements that cannot all exist on one
// machine: docker-in-docker, a local engine, Docker Desktop, an override.
func TestDecide(t *testing.T) {
	route := func(host, port string) string { return "10.1.2.3" }
	tests := []struct {
		name string
		e    engine
		want placement
	}{
		{"local engine, gateway local", engine{daemon: "unix:///var/run/docker.sock", gateway: "172.17.0.1", gatewayLocal: true},
			placement{reachHost: "127.0.0.1", loopback: true, sinkBind: "172.17.0.1", sinkAdvertise: SinkHost}},
		{"docker desktop", engine{daemon: "unix:///var/run/docker.sock"},
			placement{reachHost: "127.0.0.1", loopback: true, sinkBind: "0.0.0.0", sinkAdvertise: SinkHost}},
		{"docker-in-docker", engine{daemon: "tcp://docker:2375"},
			placement{reachHost: "docker", sinkBind: "10.1.2.3", sinkAdvertise: "10.1.2.3"}},
		{"tcp on loopback is local", engine{daemon: "tcp://127.0.0.1:2375", gateway: "172.17.0.1", gatewayLocal: true},
			placement{reachHost: "127.0.0.1", loopback: true, sinkBind: "172.17.0.1", sinkAdvertise: SinkHost}},
		{"override", engine{daemon: "unix:///var/run/docker.sock", override: "192.168.5.5", gatewayLocal: true},
			placement{reachHost: "192.168.5.5", sinkBind: "0.0.0.0", sinkAdvertise: SinkHost}},
		{"override with remote engine", engine{daemon: "tcp://docker:2375", override: "dind"},
			placement{reachHost: "dind", sinkBind: "10.1.2.3", sinkAdvertise: "10.1.2.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.e.route = route
			if got := decide(tt.e); got != tt.want {
				t.Errorf("decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}
