package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is redrive's progress bar, on standard error. Its total is the
// approximate depth of the dead-letter queue (or --max) and grows when
// more messages arrive than counted.
type progress struct {
	bar         *progressbar.ProgressBar
	total, done int64
}

func newProgress(w io.Writer, description string, total int64) *progress {
	bar := progressbar.NewOptions64(max(total, 1),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return &progress{bar: bar, total: max(total, 1)}
}

// set records that done messages are moved in all.
func (p *progress) set(done int64) {
	p.done = done
	if done > p.total {
		p.total = done
		p.bar.ChangeMax64(done)
	}
	_ = p.bar.Set64(done)
}

// add records n more moved messages.
func (p *progress) add(n int) { p.set(p.done + int64(n)) }

// finish completes the bar; it stays where it is when fewer messages
// were moved than counted.
func (p *progress) finish() {
	if p.done < p.total {
		p.stop()
		return
	}
	_ = p.bar.Finish()
}

// stop ends the bar's line where it stands, for an interrupted redrive.
func (p *progress) stop() { _ = p.bar.Exit() }
