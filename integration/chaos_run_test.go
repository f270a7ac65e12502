//go:build integration

package integration

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
)

// runChaos runs one scenario, filling in its figures as it goes, so that a
// failed run still reports what it saw.
func runChaos(t *testing.T, bin string, sc chaosScenario, size chaosSize, f *chaosFigures) {
	r := newChaosRig(t, bin, sc, size)
	r.start(t, "payments-1") // payments listens before orders sends to it
	r.start(t, "orders-1", "orders-2")
	deadline := 15*time.Minute + 3*size.sendTime()
	began := time.Now()
	driver := startProcEnv(t, r.env, bin, "driver", append(r.common, "-role", "driver",
		"-n", strconv.Itoa(size.orders), "-entities", strconv.Itoa(size.entities), "-senders", "8",
		"-rate", fmt.Sprint(size.rate), "-timeout", deadline.String(), "-stall", (size.outage+3*time.Minute).String())...)
	var faultEnd time.Time
	if sc.inject != nil {
		driver.waitLine(t, 0, deadline, sentAtLeast(size.orders/5))
		sc.inject(t, r)
		faultEnd = time.Now()
	}
	driver.waitLine(t, 0, deadline+time.Minute, func(l string) bool { return strings.HasPrefix(l, "sent=") })
	assert.NoError(t, driver.wait(t, time.Minute), "driver: %s", finalLine(driver))
	f.elapsed = time.Since(began)
	failed, lastFailure := failedOrders(t, driver)
	f.sent, f.sendErrors = size.orders, len(failed)
	if !faultEnd.IsZero() {
		f.recovery, f.recovered = recoveryAfter(driver, faultEnd)
		checkSendsRecovered(t, sc, driver, faultEnd, lastFailure, f)
	}
	if !sc.sendErrors {
		assert.Zero(t, f.sendErrors, "send errors in a scenario whose fault leaves publishing alone")
	}
	client := sqs.NewFromConfig(awsConfig(t))
	st := soRun{dsn: r.dsn, tablePrefix: r.tablePrefix}.openStore(t)
	states := newSOStates(t, st)
	r.waitSettled(t, client, states)
	for _, name := range chaosInstances {
		r.stopInstance(t, name)
	}
	f.absorbed, f.deadLettered = r.absorbed, r.deadLetters(t, client)
	f.state = checkChaosState(t, st, states, r.prefix, size, failed)
	f.throttled = [3]int{int(r.front.bySQS.Load()), int(r.front.bySNS.Load()), int(r.front.byKMS.Load())}
	assert.Zero(t, f.state.lost, "acknowledged orders lost")
	assert.Zero(t, f.state.stuck, "orders created but never paid")
	assert.Zero(t, f.state.duplicates, "duplicate side effects")
	assert.Zero(t, f.state.unexpected, "payments for orders never sent")
	assert.Zero(t, f.deadLettered, "dead-lettered messages")
	if sc.name == "sigterm" {
		assert.Zero(t, f.absorbed, "redeliveries after a graceful stop: a handled message was left undeleted")
	}
}

// checkSendsRecovered records when send errors stopped after the fault and
// checks that publishing recovered: no send error a minute after the fault
// ended and, when sending went on for seconds after the last send error,
// sends succeeded then.
func checkSendsRecovered(t *testing.T, sc chaosScenario, driver *scaleoutProc, faultEnd, lastFailure time.Time, f *chaosFigures) {
	t.Helper()
	if lastFailure.After(faultEnd) {
		f.sendErrorsFor = lastFailure.Sub(faultEnd)
	}
	assert.Less(t, f.sendErrorsFor, time.Minute, "send errors went on after the fault ended")
	if acked, sending := ackedAfter(driver, faultEnd.Add(f.sendErrorsFor)); sending > 3*time.Second && sc.sendErrors {
		assert.Positive(t, acked, "sends succeeded after the fault ended")
	}
}
