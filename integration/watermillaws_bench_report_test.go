//go:build integration

package integration

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// writeBenchResults writes transports.md and transports.svg to dir and
// returns their paths.
func writeBenchResults(dir string, sizes benchSizes, rows []benchRow) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	md, svg := filepath.Join(dir, "transports.md"), filepath.Join(dir, "transports.svg")
	if err := os.WriteFile(md, []byte(benchMarkdown(sizes, rows)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(svg, []byte(benchSVG(rows)), 0o644); err != nil {
		return nil, err
	}
	return []string{md, svg}, nil
}

func benchMarkdown(sizes benchSizes, rows []benchRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# awsbus against watermill-aws (%s, AWS_ENDPOINT_URL=%s)\n\n",
		time.Now().UTC().Format(time.RFC3339), os.Getenv("AWS_ENDPOINT_URL"))
	fmt.Fprintf(&b, "Throughput phase: %d messages published in calls of 10 by one publisher. "+
		"Latency phase: %d messages, one per call, at a target of %d/s (a publisher slower than that sends as fast as it can). One receiving instance. "+
		"Lost: not received within %s of the phase's last publish. "+
		"API calls: SQS+SNS calls per delivered message in the throughput phase, empty long polls included. "+
		"CPU: the test process's user+system time per delivered message in the throughput phase (sender and receiver; the emulator is another process). "+
		"watermill-aws runs through cqrs.PubSubTransport; its FIFO groups come from the GenerateSendMessageInput hook.\n\n",
		sizes.messages, sizes.latencyMessages, sizes.rate, benchDeadline)
	b.WriteString("| Destination | Transport | End to end msg/s | Publish-only msg/s | API calls/msg | CPU/msg | p50 | p99 | Sent | Lost | Duplicated |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.2f | %s | %s | %s | %d | %d | %d |\n", r.Scenario, r.Transport,
			r.EndToEnd, r.PublishOnly, r.CallsPerMsg, r.CPUPerMsg.Round(time.Microsecond), r.P50.Round(time.Millisecond),
			r.P99.Round(time.Millisecond), r.Sent, r.Lost, r.Duplicated)
	}
	return b.String()
}

// benchColors are the bar colours of the transports, in benchTransports
// order.
var benchColors = []string{"#1b6ca8", "#d9822b", "#8a5cb8"}

// benchSVG draws two grouped bar charts, one bar per transport and one group
// per destination: end-to-end throughput and API calls per message.
func benchSVG(rows []benchRow) string {
	const width, panel = 900, 300
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, 2*panel+60)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	benchPanel(&b, rows, 0, "End-to-end messages per second (higher is better)", func(r benchRow) float64 { return r.EndToEnd }, "%.0f")
	benchPanel(&b, rows, panel, "SQS+SNS API calls per delivered message (lower is better)", func(r benchRow) float64 { return r.CallsPerMsg }, "%.2f")
	for i, tr := range benchTransports {
		x := 20 + i*290
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			x, 2*panel+25, benchColors[i%len(benchColors)], x+18, 2*panel+35, html.EscapeString(tr.name))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// benchPanel draws one grouped bar chart at vertical offset top.
func benchPanel(b *strings.Builder, rows []benchRow, top int, title string, value func(benchRow) float64, format string) {
	const left, plotH, groupW, barW = 60, 220, 280, 70
	peak := 0.0
	for _, r := range rows {
		peak = max(peak, value(r))
	}
	if peak == 0 {
		peak = 1
	}
	base := top + 30 + plotH
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", left, top+20, html.EscapeString(title))
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, base, left+groupW*len(benchScenarios), base)
	for g, sc := range benchScenarios {
		gx := left + g*groupW
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", gx+groupW/2, base+16, html.EscapeString(sc.name))
		for i, tr := range benchTransports {
			r, ok := benchFind(rows, tr.name, sc.name)
			if !ok {
				continue
			}
			v := value(r)
			h := int(v / peak * plotH)
			x := gx + 20 + i*(barW+10)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", x, base-h, barW, h, benchColors[i%len(benchColors)])
			fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", x+barW/2, base-h-4, fmt.Sprintf(format, v))
		}
	}
}

func benchFind(rows []benchRow, transport, scenario string) (benchRow, bool) {
	for _, r := range rows {
		if r.Transport == transport && r.Scenario == scenario {
			return r, true
		}
	}
	return benchRow{}, false
}
