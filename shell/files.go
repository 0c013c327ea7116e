package shell

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"go.starlark.net/starlark"
)

// fileValue is what open() returns: Python's file object (read, readline,
// readlines, write, close, iteration over lines), text or binary.
type fileValue struct {
	name   string
	binary bool
	f      *os.File
	r      *bufio.Reader
	w      *bufio.Writer
	closed bool
}

// String returns "<file NAME>".
func (f *fileValue) String() string { return fmt.Sprintf("<file %q>", f.name) }

// Type returns "file".
func (f *fileValue) Type() string { return "file" }

// Freeze does nothing.
func (f *fileValue) Freeze() {}

// Truth is true.
func (f *fileValue) Truth() starlark.Bool { return true }

// Hash fails.
func (f *fileValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: file") }

// value makes text or bytes, as the file's mode says.
func (f *fileValue) value(b []byte) starlark.Value {
	if f.binary {
		return starlark.Bytes(b)
	}
	return starlark.String(b)
}

func (f *fileValue) writeString(s string) error {
	if f.closed || f.w == nil {
		return fmt.Errorf("%s: not open for writing", f.name)
	}
	_, err := f.w.WriteString(s)
	return err
}

// Close flushes and closes the file (once).
func (f *fileValue) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	var err error
	if f.w != nil {
		err = f.w.Flush()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Attr returns the file's methods.
func (f *fileValue) Attr(name string) (starlark.Value, error) {
	mk := func(fn func(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)) starlark.Value {
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return fn(args, kwargs)
		})
	}
	readable := func() error {
		if f.closed || f.r == nil {
			return fmt.Errorf("%s: not open for reading", f.name)
		}
		return nil
	}
	switch name {
	case "name":
		return starlark.String(f.name), nil
	case "read":
		return mk(func(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			n := -1
			if err := starlark.UnpackPositionalArgs("read", args, kwargs, 0, &n); err != nil {
				return nil, err
			}
			if err := readable(); err != nil {
				return nil, err
			}
			if n < 0 {
				b, err := io.ReadAll(f.r)
				return f.value(b), err
			}
			b := make([]byte, min(n, 1<<24))
			k, err := io.ReadFull(f.r, b)
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = nil
			}
			return f.value(b[:k]), err
		}), nil
	case "readline":
		return mk(func(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := readable(); err != nil {
				return nil, err
			}
			b, err := f.r.ReadBytes('\n')
			if err == io.EOF {
				err = nil
			}
			return f.value(b), err
		}), nil
	case "readlines":
		return mk(func(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := readable(); err != nil {
				return nil, err
			}
			var out []starlark.Value
			for {
				b, err := f.r.ReadBytes('\n')
				if len(b) > 0 {
					out = append(out, f.value(b))
				}
				if err == io.EOF {
					return starlark.NewList(out), nil
				}
				if err != nil {
					return nil, err
				}
			}
		}), nil
	case "write":
		return mk(func(args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var x starlark.Value
			if err := starlark.UnpackPositionalArgs("write", args, kwargs, 1, &x); err != nil {
				return nil, err
			}
			var s string
			switch v := x.(type) {
			case starlark.String:
				if f.binary {
					return nil, fmt.Errorf("write: a binary file takes bytes, not str")
				}
				s = string(v)
			case starlark.Bytes:
				if !f.binary {
					return nil, fmt.Errorf("write: a text file takes str, not bytes (open it with \"wb\")")
				}
				s = string(v)
			default:
				b, err := bytesArg("write", x)
				if err != nil {
					return nil, err
				}
				s = string(b)
			}
			return starlark.MakeInt(len(s)), f.writeString(s)
		}), nil
	case "flush":
		return mk(func(starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			if f.w != nil && !f.closed {
				return starlark.None, f.w.Flush()
			}
			return starlark.None, nil
		}), nil
	case "close":
		return mk(func(starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.None, f.Close()
		}), nil
	}
	return nil, nil
}

// AttrNames lists the file's methods.
func (f *fileValue) AttrNames() []string {
	return []string{"close", "flush", "name", "read", "readline", "readlines", "write"}
}

// Iterate yields the file's lines.
func (f *fileValue) Iterate() starlark.Iterator { return &lineIter{f: f} }

type lineIter struct{ f *fileValue }

// Next yields the next line.
func (it *lineIter) Next(v *starlark.Value) bool {
	if it.f.closed || it.f.r == nil {
		return false
	}
	b, err := it.f.r.ReadBytes('\n')
	if len(b) == 0 && err != nil {
		return false
	}
	*v = it.f.value(b)
	return true
}

// Done does nothing.
func (it *lineIter) Done() {}

// openFiles are the files a thread opened, closed when its run ends.
const filesKey = "pktkit.files"

type closers struct{ list []io.Closer }

func track(th *starlark.Thread, c io.Closer) {
	if th == nil {
		return
	}
	cl, _ := th.Local(filesKey).(*closers)
	if cl == nil {
		cl = &closers{}
		th.SetLocal(filesKey, cl)
	}
	cl.list = append(cl.list, c)
}

// CloseAll closes (flushing) every file and capture writer the thread
// opened and did not close.
func CloseAll(th *starlark.Thread) error {
	cl, _ := th.Local(filesKey).(*closers)
	if cl == nil {
		return nil
	}
	var first error
	for _, c := range cl.list {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	cl.list = nil
	return first
}

// builtinOpen is Python's open(path, mode="r"): modes r, w, a, with b for
// bytes.
func builtinOpen(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var path string
	mode := "r"
	var encoding string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "file", &path, "mode?", &mode, "encoding?", &encoding); err != nil {
		return nil, err
	}
	f := &fileValue{name: path, binary: strings.Contains(mode, "b")}
	var err error
	switch strings.Trim(mode, "bt") {
	case "r":
		f.f, err = os.Open(path)
		if err == nil {
			f.r = bufio.NewReader(f.f)
		}
	case "w":
		f.f, err = os.Create(path)
		if err == nil {
			f.w = bufio.NewWriter(f.f)
		}
	case "a":
		f.f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
		if err == nil {
			f.w = bufio.NewWriter(f.f)
		}
	default:
		return nil, fmt.Errorf("open: unsupported mode %q (r, w, a, with b for bytes)", mode)
	}
	if err != nil {
		return nil, err
	}
	track(th, f)
	return f, nil
}

// builtinWith is what `with EXPR as NAME:` becomes: a loop over EXPR
// alone that closes it when the block ends.
func builtinWith(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs("with", args, kwargs, 1, &x); err != nil {
		return nil, err
	}
	return &withValue{x: x}, nil
}

type withValue struct{ x starlark.Value }

// String shows the value held.
func (w *withValue) String() string { return "<with " + w.x.String() + ">" }

// Type returns "with".
func (w *withValue) Type() string { return "with" }

// Freeze does nothing.
func (w *withValue) Freeze() {}

// Truth is true.
func (w *withValue) Truth() starlark.Bool { return true }

// Hash fails.
func (w *withValue) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: with") }

// Iterate yields the value once and closes it when the loop ends.
func (w *withValue) Iterate() starlark.Iterator { return &withIter{x: w.x} }

type withIter struct {
	x    starlark.Value
	done bool
}

// Next yields the value once.
func (it *withIter) Next(v *starlark.Value) bool {
	if it.done {
		return false
	}
	it.done = true
	*v = it.x
	return true
}

// Done closes the value (a file, a reader, a writer) if it can be.
func (it *withIter) Done() {
	if c, ok := it.x.(io.Closer); ok {
		c.Close()
	}
}
