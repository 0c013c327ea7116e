package flow_test

import "testing"

// A FIN then a RST from one side, then the other side's FIN: Zeek turns
// the RST's sender back to closed ("the peer sent a FIN followed by a RST
// ... this was actually normal termination"), so conn_state is SF, and the
// history still shows the RST.
func TestFINThenRSTThenPeerFIN(t *testing.T) {
	segs := handshake(
		seg{fromCli: true, flags: "PA", seq: 1001, ack: 5001, data: 10},
		seg{flags: "A", seq: 5001, ack: 1011},
		seg{fromCli: true, flags: "FA", seq: 1011, ack: 5001},
		seg{flags: "PA", seq: 5001, ack: 1012, data: 10},
		seg{fromCli: true, flags: "R", seq: 1012},
		seg{flags: "FA", seq: 5011, ack: 1012},
	)
	c := runSegs(t, segs)[0]
	if c.State() != "SF" || c.History() != "ShADaFdRf" {
		t.Errorf("conn_state %s history %s, want SF ShADaFdRf", c.State(), c.History())
	}
}
