//go:build integration

package integration

import (
	"fmt"
	"strings"
	"time"
)

// chaosFigures are one scenario's figures.
type chaosFigures struct {
	scenario, fault string
	failed          bool // the scenario's checks failed
	sent            int
	sendErrors      int // sends that returned an error
	state           chaosState
	absorbed        int // redeliveries the instances' idempotency absorbed (killed instances' counts are lost)
	deadLettered    int
	throttled       [3]int // SQS, SNS and KMS requests the HTTP front answered with an error
	recovery        time.Duration
	recovered       bool          // progress followed the fault's end
	sendErrorsFor   time.Duration // how long after the fault's end sends still failed
	elapsed         time.Duration
}

func (f chaosFigures) String() string {
	return fmt.Sprintf("sent=%d acked=%d send-errors=%d handled=%d lost=%d stuck=%d duplicates=%d refused=%d absorbed=%d "+
		"dead-lettered=%d throttled=%s recovery=%s send-errors-for=%s elapsed=%s",
		f.sent, f.sent-f.sendErrors, f.sendErrors, f.state.handled, f.state.lost, f.state.stuck, f.state.duplicates,
		f.state.refused, f.absorbed, f.deadLettered, f.throttledText(), f.recoveryText(), f.sendErrorsFor.Round(100*time.Millisecond),
		f.elapsed.Round(time.Second))
}

// throttledText is the injected HTTP errors per service.
func (f chaosFigures) throttledText() string {
	if f.throttled == [3]int{} {
		return "–"
	}
	return fmt.Sprintf("SQS %d, SNS %d, KMS %d", f.throttled[0], f.throttled[1], f.throttled[2])
}

// recoveryText is the time from the fault's end to the next order paid.
func (f chaosFigures) recoveryText() string {
	if !f.recovered {
		return "–"
	}
	return f.recovery.Round(100 * time.Millisecond).String()
}

// chaosTable renders the figures as a Markdown table.
func chaosTable(size chaosSize, rows []chaosFigures) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d orders per scenario (each order is two commands: CreateOrder from the driver, ProcessPayment from "+
		"the orders service) over %d entities, sent at %.0f/s; outages last %s; SQS visibility timeout %s.\n\n",
		size.orders, size.entities, size.rate, size.outage, visibility)
	b.WriteString("| scenario | fault | result | sent | acknowledged | send errors | handled | lost | duplicate side effects | " +
		"redeliveries absorbed | dead-lettered | HTTP errors injected | first order paid after the fault | send errors after the fault | run |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range rows {
		result := "pass"
		if f.failed {
			result = "FAIL"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s |\n",
			f.scenario, f.fault, result, f.sent, f.sent-f.sendErrors, f.sendErrors, f.state.handled, f.state.lost,
			f.state.duplicates, f.absorbed, f.deadLettered, f.throttledText(), f.recoveryText(),
			f.sendErrorsFor.Round(100*time.Millisecond), f.elapsed.Round(time.Second))
	}
	return b.String()
}
