package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"golang.org/x/term"
)

// Session is an interactive session: the globals statements share, where
// output goes, and the last result (_).
type Session struct {
	Globals starlark.StringDict
	Out     io.Writer
	files   *closers
}

// NewSession returns a session printing to out with the environment's
// globals, and the capture files loaded: one file as pkts, several as a
// list pkts (and each as pkts0, pkts1...).
func NewSession(out io.Writer, files []string) (*Session, error) {
	s := &Session{Globals: Globals(), Out: out, files: &closers{}}
	s.Globals["argv"] = starlark.NewList(nil)
	var lists []starlark.Value
	for _, f := range files {
		l, err := readAll(f, -1)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	switch len(lists) {
	case 0:
	case 1:
		s.Globals["pkts"] = lists[0]
	default:
		s.Globals["pkts"] = starlark.NewList(lists)
		for i, l := range lists {
			s.Globals[fmt.Sprintf("pkts%d", i)] = l
		}
	}
	return s, nil
}

// thread returns a fresh thread (a cancelled thread stays cancelled)
// sharing the session's output and open files.
func (s *Session) thread() *starlark.Thread {
	th := NewThread("shell", s.Out)
	th.SetLocal(filesKey, s.files)
	return th
}

// Close closes the files the session left open.
func (s *Session) Close() error {
	th := s.thread()
	return CloseAll(th)
}

// Eval evaluates one chunk of input (one or more lines): an expression's
// value is printed (unless None) and kept in _; statements run with the
// session's globals. Errors are returned for the caller to print.
func (s *Session) Eval(src string, th *starlark.Thread) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	if th == nil {
		th = s.thread()
	}
	f, err := Parse("<stdin>", src, 0)
	if err != nil {
		return err
	}
	if len(f.Stmts) == 1 {
		if es, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			v, err := starlark.EvalExprOptions(FileOptions, th, es.X, s.Globals)
			if err != nil {
				return err
			}
			if v != starlark.None {
				fmt.Fprintln(Out(th), pyRepr(v))
				s.Globals["_"] = v
			}
			return nil
		}
	}
	return starlark.ExecREPLChunk(f, th, s.Globals)
}

// FormatError renders an error as the shell and `pktkit run` print it:
// a traceback for an evaluation error, file:line:col for a syntax error
// or an unknown name.
func FormatError(err error) string {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return ee.Backtrace()
	}
	var se syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s: syntax error: %s", se.Pos, se.Msg)
	}
	var el resolve.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		var lines []string
		for _, e := range el {
			lines = append(lines, fmt.Sprintf("%s: %s", e.Pos, e.Msg))
		}
		return strings.Join(lines, "\n")
	}
	return err.Error()
}

// needMore reports whether the lines typed so far are an incomplete
// chunk: brackets or a triple-quoted string left open, or a block (a first
// line ending with ':') not yet ended by an empty line.
func needMore(lines []string) bool {
	src := strings.Join(lines, "\n")
	depth, inTriple := 0, ""
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inTriple != "" {
			if strings.HasPrefix(src[i:], inTriple) {
				i += 2
				inTriple = ""
			} else if c == '\\' {
				i++
			}
			continue
		}
		switch c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '"', '\'':
			if strings.HasPrefix(src[i:], strings.Repeat(string(c), 3)) {
				inTriple = strings.Repeat(string(c), 3)
				i += 2
				continue
			}
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
	if inTriple != "" || depth > 0 {
		return true
	}
	first := strings.TrimSpace(stripComment(lines[0]))
	if strings.HasSuffix(first, ":") || strings.HasSuffix(strings.TrimSpace(stripComment(lines[len(lines)-1])), "\\") {
		return strings.TrimSpace(lines[len(lines)-1]) != "" || len(lines) == 1
	}
	return false
}

func stripComment(l string) string {
	if i := strings.IndexByte(l, '#'); i >= 0 && !strings.ContainsAny(l[:i], `"'`) {
		return l[:i]
	}
	return l
}

// Banner is printed when an interactive session starts.
const Banner = "pktkit shell (Starlark, a Python dialect). help() for help, ls() for the classes, Ctrl-D to exit."

// HistoryPath is the history file: $PKTKIT_HISTORY, else
// ~/.pktkit_history ("" if neither can be found).
func HistoryPath() string {
	if p := os.Getenv("PKTKIT_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".pktkit_history")
}

// RunPiped reads chunks from in (no terminal: no prompts, no editing),
// evaluates them and prints results and errors to out; it returns the
// number of chunks that failed.
func (s *Session) RunPiped(in io.Reader, out, errOut io.Writer) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	failed := 0
	var lines []string
	flush := func() {
		if len(lines) == 0 {
			return
		}
		src := strings.Join(lines, "\n")
		lines = nil
		if err := s.Eval(src, nil); err != nil {
			fmt.Fprintln(errOut, FormatError(err))
			failed++
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if len(lines) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		// An unindented line after a block ends the block (as in a file).
		if len(lines) > 0 && line != "" && line[0] != ' ' && line[0] != '\t' && !needMoreBrackets(lines) &&
			!strings.HasPrefix(line, "else") && !strings.HasPrefix(line, "elif") {
			flush()
		}
		lines = append(lines, line)
		if !needMore(lines) {
			flush()
		}
	}
	flush()
	return failed
}

// needMoreBrackets reports whether brackets or a triple-quoted string are
// still open.
func needMoreBrackets(lines []string) bool {
	return needMore(append([]string{"x"}, lines...)) && !needMore([]string{"x"})
}

// RunTerminal runs the session on a terminal: line editing, history in
// histPath, tab completion, Ctrl-C to abandon a line or stop a
// computation, Ctrl-D to leave.
func (s *Session) RunTerminal(in *os.File, out *os.File, histPath string) error {
	fd := int(in.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return err
	}
	defer term.Restore(fd, state)
	ir := &interruptReader{r: in}
	hist := loadHistory(histPath)
	var t *term.Terminal
	// newTerm makes the line editor; a new one after Ctrl-C, which leaves
	// x/term's input state behind.
	newTerm := func() {
		t = term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{ir, out}, ">>> ")
		if w, h, err := term.GetSize(int(out.Fd())); err == nil {
			t.SetSize(w, h)
		}
		t.History = hist
		t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
			if key != '\t' {
				return "", 0, false
			}
			nl, np, list := Complete(s.Globals, line, pos)
			if len(list) > 1 && nl == line {
				fmt.Fprintf(t, "%s\n", columns(list, 100))
			}
			return nl, np, true
		}
		s.Out = t
	}
	newTerm()
	fmt.Fprintln(t, Banner)
	if l, ok := s.Globals["pkts"]; ok {
		fmt.Fprintf(t, "pkts = %s\n", l.String())
	}
	var lines []string
	for {
		if len(lines) == 0 {
			t.SetPrompt(">>> ")
		} else {
			t.SetPrompt("... ")
		}
		line, err := t.ReadLine()
		if err == io.EOF {
			if ir.interrupted() {
				fmt.Fprintln(out, "^C\r\nKeyboardInterrupt\r")
				lines = nil
				newTerm()
				continue
			}
			fmt.Fprintln(t)
			return nil
		}
		if err != nil && err != term.ErrPasteIndicator {
			return err
		}
		if len(lines) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		lines = append(lines, line)
		if needMore(lines) {
			continue
		}
		src := strings.Join(lines, "\n")
		lines = nil
		// Evaluate with the terminal in its normal mode, so that Ctrl-C
		// sends SIGINT, which cancels the computation.
		term.Restore(fd, state)
		th := s.thread()
		th.SetLocal(outKey, t)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		done := make(chan struct{})
		go func() {
			select {
			case <-sig:
				th.Cancel("KeyboardInterrupt")
			case <-done:
			}
		}()
		err = s.Eval(src, th)
		close(done)
		signal.Stop(sig)
		if _, rerr := term.MakeRaw(fd); rerr != nil {
			return rerr
		}
		if err != nil {
			fmt.Fprintln(t, FormatError(err))
		}
	}
}

// interruptReader notes a Ctrl-C typed at the prompt (x/term reports it
// as the end of input).
type interruptReader struct {
	r    io.Reader
	intr bool
}

// Read reads, noting a Ctrl-C byte.
func (ir *interruptReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	for _, c := range p[:n] {
		if c == 3 {
			ir.intr = true
		}
	}
	return n, err
}

func (ir *interruptReader) interrupted() bool {
	i := ir.intr
	ir.intr = false
	return i
}

// columns lays out names in columns of a line of width characters.
func columns(names []string, width int) string {
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	w += 2
	per := max(1, width/w)
	var sb strings.Builder
	for i, n := range names {
		if i > 0 && i%per == 0 {
			sb.WriteByte('\n')
		}
		if (i+1)%per == 0 || i == len(names)-1 {
			sb.WriteString(n)
		} else {
			fmt.Fprintf(&sb, "%-*s", w, n)
		}
	}
	return sb.String()
}

// history is the terminal's history, kept in a file.
type history struct {
	path    string
	entries []string // oldest first
}

// maxHistory bounds the history kept.
const maxHistory = 2000

func loadHistory(path string) *history {
	h := &history{path: path}
	if path == "" {
		return h
	}
	b, err := os.ReadFile(path)
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				h.entries = append(h.entries, l)
			}
		}
		if len(h.entries) > maxHistory {
			h.entries = h.entries[len(h.entries)-maxHistory:]
		}
	}
	return h
}

// Add records a line, in memory and in the file.
func (h *history) Add(entry string) {
	if strings.TrimSpace(entry) == "" || strings.ContainsAny(entry, "\n\r") {
		return
	}
	if n := len(h.entries); n > 0 && h.entries[n-1] == entry {
		return
	}
	h.entries = append(h.entries, entry)
	if len(h.entries) > maxHistory {
		h.entries = h.entries[1:]
	}
	if h.path != "" {
		if f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			fmt.Fprintln(f, entry)
			f.Close()
		}
	}
}

// Len returns the number of entries.
func (h *history) Len() int { return len(h.entries) }

// At returns the idx-th most recent entry.
func (h *history) At(idx int) string { return h.entries[len(h.entries)-1-idx] }
