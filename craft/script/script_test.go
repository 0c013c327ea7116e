package script

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// TestStatements runs the bindings as the interactive shell will: several
// statements sharing globals, packets changed through p[Layer].field and
// p.field, read back, turned into bytes and dissected again.
func TestStatements(t *testing.T) {
	src := `
p = IP(src="192.0.2.1", dst="192.0.2.2")/TCP()
p[TCP].dport = 443
p.ttl = 5
raw = bytes(p)
n = len(p)
dport, ttl, chk = p.dport, p[IP].ttl, p.chksum
q = Ether(import_hex("00112233445566778899aabb0800" + hex(p)))
qport = q[TCP].dport
dsts = [x.dst for x in IP(dst="10.0.0.0/31")]
names = p.name + "/" + p.payload.name
has = (TCP in p, UDP in p, "IP" in p)
cmd = q.command()
`
	var printed []string
	th := &starlark.Thread{Print: func(_ *starlark.Thread, msg string) { printed = append(printed, msg) }}
	g, err := starlark.ExecFileOptions(FileOptions, th, "test", Rewrite(src), Predeclared())
	if err != nil {
		t.Fatal(err)
	}
	// Scapy 2.5: bytes(p) after the same assignments.
	const want = "4500002800010000050631ccc0000201c0000202001401bb0000000000000000500220000a100000"
	if got := g["raw"].(starlark.Bytes); craftHex(string(got)) != want {
		t.Errorf("bytes(p) = %s, want %s", craftHex(string(got)), want)
	}
	checks := map[string]string{
		"n": "40", "dport": "443", "ttl": "5", "chk": "None", "qport": "443",
		"dsts": `["10.0.0.0", "10.0.0.1"]`, "names": `"IP/TCP"`, "has": "(True, False, True)",
	}
	for k, w := range checks {
		if got := g[k].String(); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	// Scapy's command() of the dissected packet, in our quoting.
	wantCmd := `Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb", type=2048)/IP(version=4, ihl=5, tos=0, len=40, id=1, flags=0, frag=0, ttl=5, proto=6, chksum=12748, src="192.0.2.1", dst="192.0.2.2", options=[])/TCP(sport=20, dport=443, seq=0, ack=0, dataofs=5, reserved=0, flags=2, window=8192, chksum=2576, urgptr=0, options=[])`
	if got := string(g["cmd"].(starlark.String)); got != wantCmd {
		t.Errorf("command()\n got %s\nwant %s", got, wantCmd)
	}
}

func craftHex(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&15])
	}
	return b.String()
}

func TestRewrite(t *testing.T) {
	cases := map[string]string{
		`Raw(load=b"x")`:          `Raw(load_=b"x")`,
		`p.load`:                  `p.load_`,
		`Raw(load="load=1")`:      `Raw(load_="load=1")`,
		`x == load`:               `x == load`,
		`f(load == 1)`:            `f(load == 1)`,
		`Raw(load='it\'s load=')`: `Raw(load_='it\'s load=')`,
	}
	for in, want := range cases {
		if got := Rewrite(in); got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}
