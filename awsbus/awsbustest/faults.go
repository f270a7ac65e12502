package awsbustest

import (
	"cmp"
	"errors"
	"sync"

	"github.com/aws/smithy-go"
)

// ErrInjected is the error an injected fault returns when FailNext is given
// a nil error.
var ErrInjected = errors.New("awsbustest: injected failure")

// ErrAnswerLost is the error of a call whose answer LoseNext lost: the call
// took effect, and the caller cannot tell.
var ErrAnswerLost = errors.New("awsbustest: answer lost (connection reset after the call took effect)")

// Faults counts calls per operation and injects failures. Operations are
// named after the client methods ("SendMessage", "ReceiveMessage", ...).
// The zero value is ready to use.
type Faults struct {
	mu        sync.Mutex
	calls     map[string]int
	fail      map[string][]error
	lose      map[string][]error
	entryFail map[string]int
}

// FailNext makes the next n calls of op return err (ErrInjected when err is
// nil) without any effect.
func (f *Faults) FailNext(op string, n int, err error) {
	f.queue(&f.fail, op, n, cmp.Or(err, ErrInjected))
}

// LoseNext makes the next n calls of op take effect and then return err
// (ErrAnswerLost when err is nil), as a call does whose answer the network
// loses: the caller cannot tell that it took effect. Only the calls whose
// documentation says so honour it (MoveTaskSQS.StartMessageMoveTask);
// FailNext comes first.
func (f *Faults) LoseNext(op string, n int, err error) {
	f.queue(&f.lose, op, n, cmp.Or(err, ErrAnswerLost))
}

// queue appends n copies of err to op's queue in *m.
func (f *Faults) queue(m *map[string][]error, op string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *m == nil {
		*m = map[string][]error{}
	}
	for range n {
		(*m)[op] = append((*m)[op], err)
	}
}

// lost returns the error LoseNext set for this call of op, which took
// effect, if any.
func (f *Faults) lost(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if errs := f.lose[op]; len(errs) > 0 {
		f.lose[op] = errs[1:]
		return errs[0]
	}
	return nil
}

// FailNextEntries makes the next n entries of batch operation op
// ("SendMessageBatch", "DeleteMessageBatch", "PublishBatch") fail with a
// server-side InternalError entry while the rest of the batch succeeds.
func (f *Faults) FailNextEntries(op string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entryFail == nil {
		f.entryFail = map[string]int{}
	}
	f.entryFail[op] += n
}

// Calls returns how many times op was called, failed calls included.
func (f *Faults) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// TotalCalls returns the number of calls of every operation together.
func (f *Faults) TotalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// begin counts a call of op and returns the injected error, if any.
func (f *Faults) begin(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if errs := f.fail[op]; len(errs) > 0 {
		f.fail[op] = errs[1:]
		return errs[0]
	}
	return nil
}

// entryFault reports whether the next entry of op must fail.
func (f *Faults) entryFault(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entryFail[op] > 0 {
		f.entryFail[op]--
		return true
	}
	return false
}

// apiError builds a client-fault API error with an AWS error code.
func apiError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// errorCode returns the AWS error code of err, or "InternalError".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "InternalError"
}
