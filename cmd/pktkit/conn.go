package main

import (
	"fmt"
	"io"
	"os"

	"pktkit/capture"
	"pktkit/defrag"
	"pktkit/flow"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "conn",
		summary: "connections with Zeek's conn.log fields (text, TSV, JSON, Zeek log)",
		usage: `Usage: pktkit conn FILE... [-Y FILTER] [--format text|tsv|json|zeek] [-o OUT]
                   [--zeek-keys] [--checksums] [--defrag] [--max-conns N]

Prints one row per connection (TCP, UDP, ICMP, other IP protocols), in
order of first packet, with the fields of Zeek's conn.log and their
meanings: ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service
duration orig_bytes resp_bytes conn_state missed_bytes history orig_pkts
orig_ip_bytes resp_pkts resp_ip_bytes; plus the handshake RTT (SYN to the
ACK of the SYN-ACK) and tshark's tcp.stream / udp.stream of the first
packet. Several files are read as one capture, in the order given.

conn_state is one of S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH;
history uses Zeek's letters (s SYN, h SYN-ACK, a pure ACK, d data, f FIN,
r RST, c bad checksum, g gap, t retransmission, w zero window, i FIN+RST,
q SYN with FIN or RST, ^ roles flipped), upper case from the originator.
The originator sent the first SYN, else the first packet, unless Zeek's
port heuristics say the first packet came from the server. service is
left empty (no protocol identification yet).

Formats:
  text  aligned columns for reading (the default)
  tsv   a header line of field names, then tab-separated rows
  json  one JSON object per connection and per line (Zeek's JSON log keys)
  zeek  a Zeek TSV log (#separator, #fields, #types ... #close) that
        zeek-cut and other Zeek tools read; #open and #close hold the
        times of the first and last packets, so outputs diff cleanly

By default connections are keyed by VLAN ids and tunnel endpoints too, so
a flow inside a tunnel is apart from the same addresses elsewhere, and
ICMP echo flows by identifier; --zeek-keys keys by addresses, ports and
protocol only, as Zeek does. --checksums leaves out packets whose TCP,
UDP or ICMP checksum is wrong, as Zeek does (marked c/C in the history);
it is off because captures taken on a sending host carry unfilled
(offloaded) checksums. --defrag reassembles fragmented IP datagrams
first, as Zeek does: a datagram then counts once, as one packet of its
whole length, when its last fragment arrives, and the fragments of a
datagram never completed count not at all (without it, a first fragment
counts as a packet of its own length and later fragments belong to no
connection). Only the outermost IP header is reassembled (a tunnel's
outer datagram, as in GTP). At most --max-conns connections are held at once:
the least recently active one is then finished early (evicted), and the
count is reported on standard error. Idle connections end after Zeek's
timeouts (TCP 5 min, UDP and ICMP 1 min).

-Y keeps only the packets a Wireshark display filter accepts: the
connections are built from those packets alone.

Examples:
  pktkit conn testdata/sample.pcap
  pktkit conn big.pcap --format zeek -o conn.log
  pktkit conn gtp.pcap --zeek-keys --checksums --defrag --format zeek
  pktkit conn big.pcap -Y 'tcp.port == 443' --format tsv
  pktkit conn a.pcap b.pcap --format json | jq 'select(.conn_state == "REJ")'
`,
		run: runConn,
	})
}

func runConn(args []string, stdout io.Writer) error {
	c := commandByName("conn")
	fs := flags(c, stdout)
	format := fs.String("format", "text", "output `format`: text, tsv, json or zeek")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	zeekKeys := fs.Bool("zeek-keys", false, "key connections by addresses, ports and protocol only (as Zeek)")
	checksums := fs.Bool("checksums", false, "leave out packets with a bad transport checksum (as Zeek)")
	reassemble := fs.Bool("defrag", false, "reassemble fragmented IP datagrams first (as Zeek)")
	maxConns := fs.Int("max-conns", 1<<20, "hold at most `N` connections at once (the least recently active is evicted)")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	switch *format {
	case "text", "tsv", "json", "zeek":
	default:
		return usagef("unknown format %q (text, tsv, json, zeek)", *format)
	}
	if *maxConns < 1 {
		return usagef("--max-conns must be at least 1")
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" && *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	lw, err := flow.NewLogWriter(w, *format)
	if err != nil {
		return err
	}
	// Rows go out as connections finish, in order of first packet: a
	// finished connection waits only for older ones still open.
	var first, last int64
	var werr error
	ord := &flow.Orderer{Emit: func(c *flow.Conn) error { return lw.Write(c, first) }}
	t := flow.New(flow.Config{
		MaxConns: *maxConns, ZeekKeys: *zeekKeys, Checksums: *checksums,
		Finished: func(c *flow.Conn) {
			if err := ord.Finished(c); err != nil && werr == nil {
				werr = err
			}
		},
	})
	var df *flow.Defrag
	if *reassemble {
		df = flow.NewDefrag(defrag.Config{})
	}
	for _, f := range files {
		bar := progress.New(f)
		r, err := capture.Open(f)
		if err != nil {
			bar.Done()
			return err
		}
		// One worker, so the table sees packets in order, while another
		// goroutine reads the file.
		err = walk.Pipeline(r, walk.Options{Progress: bar.Update, Filter: match, Analyses: analyses}, 1,
			func() func(p *packet.Packet, rec *capture.Record, _ *struct{}) error {
				return func(p *packet.Packet, rec *capture.Record, _ *struct{}) error {
					if first == 0 {
						first = p.Timestamp
					}
					last = max(last, p.Timestamp)
					if df != nil {
						if p = df.Packet(p); p == nil {
							return werr // a fragment held until its datagram is whole
						}
					}
					if c, _, isNew := t.Update(p); isNew {
						ord.Started(c)
					}
					return werr
				}
			}, func(*walk.Batch[struct{}]) error { return nil })
		r.Close()
		bar.Done()
		if err != nil {
			return err
		}
	}
	t.Flush()
	if err := ord.Flush(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	if err := lw.Close(first, last); err != nil {
		return err
	}
	if ord.OutOfOrder > 0 {
		fmt.Fprintf(os.Stderr, "pktkit conn: %d connections written ahead of older open ones (to bound memory)\n", ord.OutOfOrder)
	}
	if st := t.Stats(); st.Evicted > 0 {
		fmt.Fprintf(os.Stderr, "pktkit conn: %d connections evicted (more than %d at once); raise --max-conns\n", st.Evicted, *maxConns)
	}
	return nil
}
