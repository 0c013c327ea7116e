package export

import (
	"bytes"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/uncompressed"

	"pktkit/capture"
	"pktkit/packet"
	"pktkit/walk"
)

// TestPopUndoesARow adds the sample's packets to one chunk, taking every
// third back out with pop (as add does when a column fails), and to
// another chunk without those packets: the two must hold the same values.
func TestPopUndoesARow(t *testing.T) {
	fields := append(append([]string{}, DefaultFields...), "tcp.flags.syn", "data.data", "frame.time_delta", "dns.qry.name")
	cols, ec, err := compile(fields, 1)
	if err != nil {
		t.Fatal(err)
	}
	e1 := newEncoder(cols, ec, &uncompressed.Codec{})
	e2 := newEncoder(cols, ec.Clone(), &uncompressed.Codec{})
	var with, without chunk
	popped := map[int]int{} // physical type: values popped
	n := 0
	err = walk.File("../testdata/sample.pcap", walk.Options{Analyses: ec.Analyses()}, func(p *packet.Packet, rec *capture.Record) error {
		n++
		if err := e1.add(&with, p); err != nil {
			return err
		}
		if n%3 != 0 {
			return e2.add(&without, p)
		}
		for j := range cols {
			c := &with.cols[j]
			if c.defs[len(c.defs)-1] == 1 {
				popped[cols[j].phys]++
			}
			c.pop(cols[j].phys)
		}
		with.rows--
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if with.rows != without.rows {
		t.Fatalf("%d rows against %d", with.rows, without.rows)
	}
	for j := range cols {
		a, b := &with.cols[j], &without.cols[j]
		if !bytes.Equal(a.defs, b.defs) || !slices.Equal(a.ints, b.ints) || !bytes.Equal(a.vals, b.vals) || a.n != b.n {
			t.Errorf("column %s differs after pops", cols[j].name)
		}
	}
	for _, phys := range []int{physInt64, physDouble, physBool, physBytes} {
		if popped[phys] == 0 {
			t.Errorf("no value of physical type %d popped: the test shows nothing for it", phys)
		}
	}
}

// TestEmptyMinimum writes a text column whose minimum is the empty string
// and checks that the column chunk's statistics and the page index keep it
// (an empty value, not an absent one).
func TestEmptyMinimum(t *testing.T) {
	cols, ec, err := compile([]string{"dns.qry.name"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	fw, err := newFileWriter(&buf, cols, (&uncompressed.Codec{}).CompressionCodec(), 100)
	if err != nil {
		t.Fatal(err)
	}
	g := chunk{cols: make([]colData, 1), enc: newEncoder(cols, ec, &uncompressed.Codec{})}
	c := &g.cols[0]
	for _, v := range []string{"b", "", "a"} {
		c.vals = append(c.vals, 0, 0, 0, 0)
		at := len(c.vals)
		c.vals = append(c.vals, v...)
		c.bytesFrom(at)
		g.rows++
	}
	c.null()
	g.rows++
	if err := g.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := fw.add(&g); err != nil {
		t.Fatal(err)
	}
	if err := fw.close(); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	st := pf.Metadata().RowGroups[0].Columns[0].MetaData.Statistics
	if st.MinValue == nil || len(st.MinValue) != 0 || string(st.MaxValue) != "b" || st.NullCount != 1 {
		t.Errorf("statistics: min %v (nil %v), max %q, nulls %d", st.MinValue, st.MinValue == nil, st.MaxValue, st.NullCount)
	}
	ci := pf.ColumnIndexes()
	if len(ci) != 1 || len(ci[0].MinValues) != 1 || len(ci[0].MinValues[0]) != 0 || string(ci[0].MaxValues[0]) != "b" || ci[0].NullPages[0] {
		t.Errorf("column index: %+v", ci)
	}
}
