package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"pktkit/capture"
	"pktkit/export"
	"pktkit/internal/progress"
)

func init() {
	register(&command{
		name:    "export",
		summary: "typed columns in Parquet, one row per packet, for DuckDB or Spark",
		usage: `Usage: pktkit export FILE... -o OUT [--format parquet] [-e FIELD ...]
                     [--occurrence f|l|N] [--compression zstd|snappy|gzip|none] [-Y FILTER] [-j N]

Writes one row per packet with a typed column per field to Apache Parquet.
With one input and OUT ending in .parquet, OUT is that file. Otherwise OUT
is a dataset directory (created if needed) with one file per input, named
after the inputs in order (0001-NAME.parquet, 0002-...), which DuckDB reads
as 'OUT/*.parquet' and Spark as the directory OUT.

Without -e the columns are the frame, Ethernet, IPv4, IPv6, TCP, UDP, ICMP
and ICMPv6 core fields (pktkit export -h lists them below). Column names are
the field names with dots made underscores (ip.src is ip_src). Types:
integers INT64 (UINT_64 or INT_64), flag bits BOOLEAN, frame.time_epoch
TIMESTAMP(NANOS, UTC), frame.time_relative and frame.time_delta DOUBLE
seconds, byte strings BYTE_ARRAY, addresses and text STRING as tshark
prints them; a packet without the field has a null. A field that occurs
more than once in a packet (the IP header quoted by an ICMP error, a
tunnel's inner header) gives its first occurrence, or the one --occurrence
picks: every column is a scalar (for every occurrence use
pktkit fields --format ndjson).

-Y writes only the packets a Wireshark display filter accepts.

Row groups hold 131072 packets (the last fewer; with -j 2 or more, up to
a batch of packets more) and carry each column's null count, minimum and
maximum; a page index gives the same per page. -j workers dissect batches of packets in parallel and each
encodes and compresses its batch into a page per column; the pages are
written in packet order, so the rows do not depend on -j. A damaged
capture leaves a complete file of the packets before the damage, and the
error (exit 1).

Examples:
  pktkit export big.pcap -o big.parquet
  pktkit export big.pcap -o web.parquet -Y 'tcp.port in {80, 443}'
  pktkit export day1/*.pcap -o dataset/ -e frame.time_epoch -e ip.src -e ip.dst -e dns.qry.name
  duckdb -c "SELECT ip_src, count(*) FROM 'dataset/*.parquet' GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
`,
		run: runExport,
	})
}

func runExport(args []string, stdout io.Writer) error {
	c := commandByName("export")
	fs := flags(c, stdout)
	var names multi
	fs.Var(&names, "e", "a `FIELD` to write (repeatable; default: the core fields)")
	out := fs.String("o", "", "output `FILE`.parquet or directory")
	format := fs.String("format", "parquet", "output `format` (parquet)")
	occ := fs.String("occurrence", "f", "which occurrence of a repeated field: f, l or a number `N` from 1")
	comp := fs.String("compression", "zstd", "`codec`: zstd, snappy, gzip or none")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "dissect and encode with `N` parallel workers")
	yf := filterFlag(fs)
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	if *out == "" {
		return usagef("no output: use -o FILE.parquet or -o DIR")
	}
	if *format != "parquet" {
		return usagef("unknown format %q (parquet)", *format)
	}
	match, analyses, err := compileFilter(*yf)
	if err != nil {
		return err
	}
	opt := export.Options{Fields: names, Workers: *jobs, Compression: *comp, Filter: match, Analyses: analyses}
	n, ok := parseOccurrence(*occ, false)
	if !ok {
		return usagef("--occurrence %q: want f, l or a number from 1", *occ)
	}
	opt.Occurrence = n
	if _, err := export.Schema(names); err != nil {
		return usagef("%v", err) // an unknown field, or two making one column
	}
	switch *comp {
	case "zstd", "snappy", "gzip", "none":
	default:
		return usagef("unknown compression %q (zstd, snappy, gzip, none)", *comp)
	}
	single := len(files) == 1 && strings.HasSuffix(*out, ".parquet")
	if !single {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
	}
	for i, f := range files {
		path := *out
		if !single {
			base := filepath.Base(f)
			if f == "-" {
				base = "stdin"
			}
			path = filepath.Join(*out, fmt.Sprintf("%04d-%s.parquet", i+1, base))
		}
		if err := exportOne(f, path, opt); err != nil {
			return err
		}
	}
	return nil
}

func exportOne(in, path string, opt export.Options) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	bar := progress.New(in)
	opt.Progress = bar.Update
	bw := bufio.NewWriterSize(file, 1<<20)
	_, err = export.File(in, bw, opt)
	bar.Done()
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A damaged capture leaves a complete file of the packets before
		// the damage; any other error, no file.
		var ce *capture.Error
		if !errors.As(err, &ce) {
			os.Remove(path)
		}
		return fmt.Errorf("%s: %w", in, err)
	}
	return nil
}
