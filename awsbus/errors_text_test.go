package awsbus_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A PublishError of many messages counts them all but names the first ten,
// each UUID as sourceflow.IDText shows it; Failed keeps them all.
func TestPublishErrorTextNamesTheFirstTenFailuresBounded(t *testing.T) {
	long := strings.Repeat("u", 10_000)
	e := &awsbus.PublishError{Destination: "orders", Failed: []awsbus.FailedMessage{{UUID: long, Reason: "Throttled"}}}
	for i := range 1_000 {
		e.Failed = append(e.Failed, awsbus.FailedMessage{UUID: fmt.Sprintf("m-%d", i), Reason: "Throttled"})
	}

	text := e.Error()

	assert.Equal(t, "awsbus: publish failed: 1001 message(s) to orders not sent: "+sourceflow.IDText(long)+": Throttled; "+
		"m-0: Throttled; m-1: Throttled; m-2: Throttled; m-3: Throttled; m-4: Throttled; m-5: Throttled; "+
		"m-6: Throttled; m-7: Throttled; m-8: Throttled; and 991 more", text)
	assert.Len(t, e.Failed, 1001)
}

// A PublishError of a few messages names each; an ordinary UUID reads as
// it is, a newline in one is escaped.
func TestPublishErrorTextNamesAFewFailures(t *testing.T) {
	e := &awsbus.PublishError{Destination: "orders", Failed: []awsbus.FailedMessage{
		{UUID: "m-1", Reason: "Throttled"}, {UUID: "m-2\n", Reason: "InvalidParameterValue"},
	}}

	assert.Equal(t, `awsbus: publish failed: 2 message(s) to orders not sent: m-1: Throttled; m-2\n: InvalidParameterValue`, e.Error())
}

// The budget and size errors name the message by its UUID bounded.
func TestBudgetAndSizeErrorsBoundTheUUID(t *testing.T) {
	long := strings.Repeat("u", 10_000)

	budget := (&awsbus.BudgetError{UUID: long, Count: 11, Budget: 10, Keys: []string{"a"}}).Error()
	size := (&awsbus.SizeError{UUID: long, Service: "SQS", Size: 300_000, Limit: 262_144}).Error()

	assert.Equal(t, "awsbus: attribute budget exceeded: message "+sourceflow.IDText(long)+" needs 11 attributes, at most 10 allowed: \"a\"", budget)
	assert.Equal(t, "sourceflow: message too large: message "+sourceflow.IDText(long)+" is 300000 bytes, SQS accepts at most 262144", size)
}

// A BudgetError of many keys (a received message may carry a thousand into
// one published in turn) counts them but names the first ten, each quoted
// and bounded; Keys keeps them all.
func TestBudgetErrorTextNamesTheFirstTenKeysBounded(t *testing.T) {
	e := &awsbus.BudgetError{UUID: "m-1", Count: 1_001, Budget: 10}
	for i := range 1_000 {
		e.Keys = append(e.Keys, fmt.Sprintf("k%03d-%s", i, strings.Repeat("k", 251)))
	}
	e.Keys = append(e.Keys, strings.Repeat("x", 10_000))
	quoted := make([]string, 10)
	for i := range quoted {
		quoted[i] = fmt.Sprintf("%q", e.Keys[i])
	}

	text := e.Error()

	assert.Equal(t, "awsbus: attribute budget exceeded: message m-1 needs 1001 attributes, at most 10 allowed: "+
		strings.Join(quoted, ", ")+", and 991 more", text)
	assert.Less(t, len(text), 3_000)
	assert.Len(t, e.Keys, 1_001)
}

// A BudgetError of a few keys names each, quoted, a newline in one escaped
// and a long one cut.
func TestBudgetErrorTextNamesAFewKeys(t *testing.T) {
	e := &awsbus.BudgetError{UUID: "m-1", Count: 12, Budget: 10, Keys: []string{"a", "b\n", strings.Repeat("c", 300)}}

	assert.Equal(t, "awsbus: attribute budget exceeded: message m-1 needs 12 attributes, at most 10 allowed: "+
		`"a", "b\n", "`+strings.Repeat("c", 256)+`…(300 bytes)"`, e.Error())
}
