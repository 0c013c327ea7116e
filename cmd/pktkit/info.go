package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"pktkit/capture"
	"pktkit/internal/progress"
	"pktkit/packet"
	"pktkit/walk"
)

func init() {
	register(&command{
		name:    "info",
		summary: "format, link types, interfaces, packets, bytes, times, comments",
		usage: `Usage: pktkit info FILE... [--format text|json]

Summarises each capture file as capinfos does: file format (and gzip),
link types, interfaces (pcapng), packet count, captured and wire bytes,
first and last packet times, duration, average rates, and comments. A
damaged file is summarised up to the damage, then the error is reported.

Examples:
  pktkit info testdata/sample.pcap
  pktkit info --format json *.pcapng
`,
		run: runInfo,
	})
}

// fileInfo is what info reports for one file.
type fileInfo struct {
	File            string      `json:"file"`
	Format          string      `json:"format"`
	Gzip            bool        `json:"gzip"`
	LinkTypes       []string    `json:"link_types"`
	Interfaces      []ifaceInfo `json:"interfaces,omitempty"`
	Packets         int         `json:"packets"`
	CapturedBytes   int64       `json:"captured_bytes"`
	WireBytes       int64       `json:"wire_bytes"`
	First           *time.Time  `json:"first_time,omitempty"`
	Last            *time.Time  `json:"last_time,omitempty"`
	DurationSeconds float64     `json:"duration_seconds"`
	SectionComments []string    `json:"section_comments,omitempty"`
	PacketComments  []string    `json:"packet_comments,omitempty"`
	Truncated       int         `json:"packets_cut_by_snaplen"`
	Error           string      `json:"error,omitempty"`
}

type ifaceInfo struct {
	Index       int    `json:"index"`
	Section     int    `json:"section"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	LinkType    string `json:"link_type"`
	SnapLen     int    `json:"snaplen"`
	TSResol     string `json:"ts_resolution,omitempty"`
}

func runInfo(args []string, stdout io.Writer) error {
	c := commandByName("info")
	fs := flags(c, stdout)
	format := fs.String("format", "text", "output `format`: text or json")
	files, err := parse(c, fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no capture file given")
	}
	if *format != "text" && *format != "json" {
		return usagef("unknown format %q (text, json)", *format)
	}
	var firstErr error
	var all []*fileInfo
	for _, f := range files {
		fi, err := infoOf(f)
		if err != nil && fi == nil {
			return err
		}
		if err != nil {
			fi.Error = err.Error()
			if firstErr == nil {
				firstErr = err
			}
		}
		all = append(all, fi)
		if *format == "text" {
			printInfo(stdout, fi)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			return err
		}
	}
	return firstErr
}

func infoOf(path string) (*fileInfo, error) {
	r, err := capture.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi := &fileInfo{File: path, Format: r.Format().String(), Gzip: r.Gzip()}
	links := map[capture.LinkType]bool{}
	var first, last int64
	bar := progress.New(path)
	werr := walk.Reader(r, walk.Options{Progress: bar.Update}, func(p *packet.Packet, rec *capture.Record) error {
		if fi.Packets == 0 || rec.Timestamp < first {
			first = rec.Timestamp
		}
		if fi.Packets == 0 || rec.Timestamp > last {
			last = rec.Timestamp
		}
		fi.Packets++
		fi.CapturedBytes += int64(len(rec.Data))
		fi.WireBytes += int64(rec.OrigLen)
		if rec.OrigLen > len(rec.Data) {
			fi.Truncated++
		}
		links[rec.LinkType] = true
		for _, s := range rec.Comments() {
			fi.PacketComments = append(fi.PacketComments, fmt.Sprintf("packet %d: %s", rec.Number, s))
		}
		return nil
	})
	bar.Done()
	for i, ifc := range r.Interfaces() {
		links[ifc.LinkType] = true
		if r.Format() == capture.FormatPcapng {
			fi.Interfaces = append(fi.Interfaces, ifaceInfo{Index: i, Section: ifc.Section, Name: ifc.Name,
				Description: ifc.Description, LinkType: linkName(ifc.LinkType), SnapLen: ifc.SnapLen, TSResol: ifc.TSResol.String()})
		}
	}
	if len(r.Interfaces()) == 0 && r.Format() != capture.FormatPcapng {
		links[r.LinkType()] = true
	}
	for l := range links {
		fi.LinkTypes = append(fi.LinkTypes, linkName(l))
	}
	sort.Strings(fi.LinkTypes)
	fi.SectionComments = r.SectionComments()
	if fi.Packets > 0 {
		f, l := time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		fi.First, fi.Last = &f, &l
		fi.DurationSeconds = float64(last-first) / 1e9
	}
	return fi, werr
}

func linkName(l capture.LinkType) string { return fmt.Sprintf("%s (%d)", l, uint16(l)) }

func printInfo(w io.Writer, fi *fileInfo) {
	kv := func(k, f string, a ...any) { fmt.Fprintf(w, "%-22s %s\n", k+":", fmt.Sprintf(f, a...)) }
	kv("File name", "%s", fi.File)
	ft := fi.Format
	if fi.Gzip {
		ft += " (gzip-compressed)"
	}
	kv("File type", "%s", ft)
	kv("Link types", "%s", strings.Join(fi.LinkTypes, ", "))
	for _, ifc := range fi.Interfaces {
		s := fmt.Sprintf("#%d %s, snaplen %d", ifc.Index, ifc.LinkType, ifc.SnapLen)
		if ifc.Name != "" {
			s += ", name " + ifc.Name
		}
		if ifc.Description != "" {
			s += ", description " + ifc.Description
		}
		if ifc.Section > 0 {
			s += fmt.Sprintf(", section %d", ifc.Section)
		}
		kv("Interface", "%s", s)
	}
	kv("Packets", "%d", fi.Packets)
	kv("Captured bytes", "%d", fi.CapturedBytes)
	kv("Wire bytes", "%d", fi.WireBytes)
	if fi.Truncated > 0 {
		kv("Cut by snaplen", "%d packets", fi.Truncated)
	}
	if fi.First != nil {
		kv("First packet time", "%s", fi.First.Format("2006-01-02 15:04:05.000000000 UTC"))
		kv("Last packet time", "%s", fi.Last.Format("2006-01-02 15:04:05.000000000 UTC"))
		kv("Duration", "%.6f seconds", fi.DurationSeconds)
		if fi.DurationSeconds > 0 {
			kv("Average packet rate", "%.2f packets/s", float64(fi.Packets)/fi.DurationSeconds)
			kv("Average data rate", "%.2f bytes/s", float64(fi.CapturedBytes)/fi.DurationSeconds)
		}
	}
	for _, s := range fi.SectionComments {
		kv("Section comment", "%s", s)
	}
	for _, s := range fi.PacketComments {
		kv("Packet comment", "%s", s)
	}
	if fi.Error != "" {
		kv("Error", "%s", fi.Error)
	}
	fmt.Fprintln(w)
}
