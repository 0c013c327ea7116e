// Package progress draws a progress bar on standard error when it is a
// terminal, and nothing otherwise.
package progress

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Bar reports progress through a file on a terminal.
type Bar struct {
	label string
	tty   bool
	last  time.Time
	shown bool
}

// New returns a bar labelled with the file name; it draws only if standard
// error is a terminal.
func New(label string) *Bar {
	st, err := os.Stderr.Stat()
	return &Bar{label: label, tty: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

// Update redraws the bar (at most five times a second).
func (b *Bar) Update(done, total int64) {
	if b == nil || !b.tty {
		return
	}
	now := time.Now()
	if now.Sub(b.last) < 200*time.Millisecond && done < total {
		return
	}
	b.last = now
	b.shown = true
	if total > 0 {
		frac := float64(done) / float64(total)
		if frac > 1 {
			frac = 1
		}
		n := int(frac * 30)
		fmt.Fprintf(os.Stderr, "\r%s [%s%s] %3.0f%% %s", b.label, strings.Repeat("#", n), strings.Repeat(" ", 30-n), frac*100, size(done))
		return
	}
	fmt.Fprintf(os.Stderr, "\r%s %s", b.label, size(done))
}

// Done erases the bar.
func (b *Bar) Done() {
	if b != nil && b.shown {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
