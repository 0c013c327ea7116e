// Command tsvdiff compares two TSV outputs row by row and cell by cell (for
// example tshark -T fields against gopacket-fields) and reports, for each
// column, how many rows differ, with a few examples.
//
// Usage:
//
//	tsvdiff [-names a,b,c] [-examples N] [-la LABEL] [-lb LABEL] A.tsv B.tsv
//
// It exits 0 when the files are identical, 1 when they differ, 2 on error.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
)

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

func main() {
	names := flag.String("names", "", "comma-separated column names for the report")
	examples := flag.Int("examples", 3, "examples to show per column")
	la := flag.String("la", "A", "label of the first file")
	lb := flag.String("lb", "B", "label of the second file")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: tsvdiff [-names a,b] [-examples N] [-la L] [-lb L] A.tsv B.tsv")
		os.Exit(2)
	}
	a, err := readLines(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "tsvdiff:", err)
		os.Exit(2)
	}
	b, err := readLines(flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "tsvdiff:", err)
		os.Exit(2)
	}
	var cols []string
	if *names != "" {
		cols = strings.Split(*names, ",")
	}
	colName := func(i int) string {
		if i < len(cols) {
			return cols[i]
		}
		return fmt.Sprintf("col%d", i+1)
	}
	n := min(len(a), len(b))
	diffRows := 0
	perCol := map[int]int{}
	ex := map[int][]string{}
	maxCol := 0
	for i := 0; i < n; i++ {
		if a[i] == b[i] {
			continue
		}
		diffRows++
		ca, cb := strings.Split(a[i], "\t"), strings.Split(b[i], "\t")
		m := max(len(ca), len(cb))
		maxCol = max(maxCol, m)
		for c := 0; c < m; c++ {
			var va, vb string
			if c < len(ca) {
				va = ca[c]
			}
			if c < len(cb) {
				vb = cb[c]
			}
			if va == vb {
				continue
			}
			perCol[c]++
			if len(ex[c]) < *examples {
				ex[c] = append(ex[c], fmt.Sprintf("row %d: %s=%q %s=%q", i+1, *la, va, *lb, vb))
			}
		}
	}
	fmt.Printf("rows: %s %d, %s %d; compared %d; differing rows %d\n", *la, len(a), *lb, len(b), n, diffRows)
	for c := 0; c < maxCol; c++ {
		if perCol[c] == 0 {
			continue
		}
		fmt.Printf("  %-14s %6d rows differ\n", colName(c), perCol[c])
		for _, e := range ex[c] {
			fmt.Printf("      %s\n", e)
		}
	}
	if diffRows > 0 || len(a) != len(b) {
		os.Exit(1)
	}
}
