package flow

import "container/heap"

// Orderer passes finished connections on in order of first packet
// (Conn.Index) while holding as few as it can: a finished connection waits
// only for connections that started before it and are still open. Max
// bounds the connections held; beyond it the earliest held one goes out
// ahead of an older open one, counted in OutOfOrder. Memory is then
// bounded by Max plus the table's open connections.
type Orderer struct {
	Max  int               // connections held at most (default 100,000)
	Emit func(*Conn) error // receives the connections in order

	OutOfOrder int // connections emitted before an older open one

	open openHeap // indices of started connections, finished ones removed lazily
	done []uint64 // bit set of finished indices still in open
	held connHeap
}

// Started notes a new connection (Table.Update's isNew).
func (o *Orderer) Started(c *Conn) { heap.Push(&o.open, c.Index) }

func (o *Orderer) isDone(i uint64) bool {
	return i/64 < uint64(len(o.done)) && o.done[i/64]&(1<<(i%64)) != 0
}

// Finished takes a finished connection (Config.Finished) and emits what
// may go out. The connection is copied only if it has to wait.
func (o *Orderer) Finished(c *Conn) error {
	for uint64(len(o.done)) <= c.Index/64 {
		o.done = append(o.done, 0)
	}
	o.done[c.Index/64] |= 1 << (c.Index % 64)
	o.dropDone()
	if o.held.Len() == 0 && (o.open.Len() == 0 || o.open[0] > c.Index) {
		return o.Emit(c) // nothing older is open: no need to wait
	}
	cp := *c
	heap.Push(&o.held, &cp)
	return o.release(false)
}

// dropDone removes finished connections from the top of open.
func (o *Orderer) dropDone() {
	for o.open.Len() > 0 && o.isDone(o.open[0]) {
		i := o.open[0]
		o.done[i/64] &^= 1 << (i % 64)
		heap.Pop(&o.open)
	}
}

// Flush emits every connection held (call it after Table.Flush).
func (o *Orderer) Flush() error { return o.release(true) }

func (o *Orderer) release(all bool) error {
	max := o.Max
	if max <= 0 {
		max = 100000
	}
	for o.held.Len() > 0 {
		o.dropDone() // the oldest connection still open is on top
		top := o.held[0].Index
		if !all && o.open.Len() > 0 && o.open[0] < top {
			if o.held.Len() <= max {
				return nil
			}
			o.OutOfOrder++
		}
		c := heap.Pop(&o.held).(*Conn)
		if err := o.Emit(c); err != nil {
			return err
		}
	}
	return nil
}

type openHeap []uint64

func (h openHeap) Len() int           { return len(h) }
func (h openHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h openHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *openHeap) Push(x any)        { *h = append(*h, x.(uint64)) }
func (h *openHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type connHeap []*Conn

func (h connHeap) Len() int           { return len(h) }
func (h connHeap) Less(i, j int) bool { return h[i].Index < h[j].Index }
func (h connHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *connHeap) Push(x any)        { *h = append(*h, x.(*Conn)) }
func (h *connHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil // let the emitted connection go
	*h = old[:len(old)-1]
	return x
}
