package cqrs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sourceflow-go/sourceflow"
)

// ErrNewerState marks a saga state or view model stored by a newer version
// of the service than the one handling: its StateVersion is lower than the
// stored document's. The instance neither applies the message to the
// document nor saves over it, so a field only the newer version knows is
// not erased (see StateVersion).
var ErrNewerState = errors.New("cqrs: stored state is of a newer version")

// NewerStateRetry is the delay a message refused for ErrNewerState asks
// before its next delivery (sourceflow.RetryAfter), so that an instance of
// the newer version may take it meanwhile.
const NewerStateRetry = 30 * time.Second

// StateOption configures a saga (NewSaga) or a view (NewView).
type StateOption func(*stateOptions)

type stateOptions struct {
	version int
}

// StateVersion declares the version of a saga's state type or a view's
// model type; the default is 0. Raise it in every release that adds,
// renames or retypes a field, so that the versions side by side in a
// rolling deploy do not erase each other's fields: an older version
// decoding a document into its older type drops the fields it does not
// know, and saving it again would store their zero values.
//
// Each saved document is stamped with the version of the instance that
// saved it. An instance whose version is lower than a stored document's
// refuses to apply a message to it and saves nothing: the handling fails
// with ErrNewerState, retryably (sourceflow.RetryAfter, NewerStateRetry),
// and a message that no instance of the newer version handles is
// dead-lettered with that reason after its last delivery, to be redriven
// once the newer version runs everywhere. On a transport that returns a
// failed message to a shared queue (awsbus) an instance of the newer
// version may take it on a later delivery; the in-process redelivery of
// ChannelTransport keeps it on the instance that refused it, pausing
// NewerStateRetry between deliveries (see sourceflow.RetryAfter), and so
// does PubSubTransport's within its subscriber's acknowledgement deadline,
// past which it hands the message back (sqlbus's AckDeadline, 30 s by
// default, is no longer than the pause), so that any instance of the
// consumer group may read it. A Replay by
// an older instance fails with ErrNewerState and leaves the document as
// stored. Reads (Saga.Load, View.Get) decode a newer document as they would
// any other. A command a saga already applied is still re-raised from a
// newer document, which is not saved again.
//
// Never lower the version: documents stamped higher stay refused. Rolling
// a deploy back past a release that raised it lowers it too: the release
// rolled back to refuses every document the newer one saved meanwhile, and
// their messages are dead-lettered until a release of that version or
// higher runs again, so fix forward, keeping the version. Every
// NewSaga or NewView of one name in a service declares the same version:
// Handle or Project refuses another (ErrInvalidRegistration), whose
// handlers would refuse the documents the others stamp.
// The stamp is a short header before the stored bytes, written only for a
// version above 0, so documents of version 0 are stored exactly as before
// and documents stored before are version 0. Read models through View.Get
// and Saga.Load rather than decoding a store's bytes: a stamped document's
// bytes begin with the header.
//
// The guard holds only between versions that have it. A release of
// SourceFlow without it neither stamps nor checks, and reads a stamped
// document as corrupt: a permanent failure, its message dead-lettered at
// once. Upgrade SourceFlow in a release of its own, deployed fully, before
// a release that raises a StateVersion, and never roll back past it.
func StateVersion(v int) StateOption {
	return func(o *stateOptions) { o.version = v }
}

func newStateOptions(opts []StateOption) stateOptions {
	var o stateOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// validate refuses a negative version; role and name say whose, as
// "saga order".
func (o stateOptions) validate(role, name string) error {
	if o.version < 0 {
		return fmt.Errorf("%w: %s %q: StateVersion %d is negative", ErrInvalidRegistration, role, name, o.version)
	}
	return nil
}

// stateHeader begins a stamped document, followed by its version in
// decimal and a newline. No encoding/json text begins with a NUL byte.
const stateHeader = "\x00sf-state-version:"

// errMalformedHeader is the failure of a document that begins with
// stateHeader but has no positive decimal version after it.
var errMalformedHeader = errors.New("the state version header is malformed")

// maxHeaderDigits bounds the digits stateVersionOf reads.
const maxHeaderDigits = 20

// stamp returns data stamped with version: as it is for version 0.
func stamp(version int, data []byte) []byte {
	if version == 0 {
		return data
	}
	out := make([]byte, 0, len(stateHeader)+maxHeaderDigits+len(data))
	out = append(out, stateHeader...)
	out = strconv.AppendInt(out, int64(version), 10)
	out = append(out, '\n')
	return append(out, data...)
}

// stateVersionOf returns the version a stored document is stamped with (0
// for one without the header) and the bytes after the header, or
// errMalformedHeader.
func stateVersionOf(data []byte) (int, []byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte(stateHeader))
	if !ok {
		return 0, data, nil
	}
	end := bytes.IndexByte(rest[:min(len(rest), maxHeaderDigits+1)], '\n')
	if end < 0 {
		return 0, nil, errMalformedHeader
	}
	v, err := strconv.Atoi(string(rest[:end]))
	if err != nil || v < 1 {
		return 0, nil, errMalformedHeader
	}
	return v, rest[end+1:], nil
}

// newerStateError is ErrNewerState with the two versions.
type newerStateError struct{ stored, mine int }

func (e newerStateError) Error() string {
	return fmt.Sprintf("stored state is version %d, newer than this instance's StateVersion %d; left as stored for an instance of version %d or later",
		e.stored, e.mine, e.stored)
}

func (e newerStateError) Unwrap() error { return ErrNewerState }

// refuseNewer returns, when stored is higher than mine, ErrNewerState as a
// handling's failure, after what (as `saga order "o-1"`): retryable after
// NewerStateRetry, so that another instance may take the message. It
// returns nil otherwise.
func refuseNewer(what string, stored, mine int) error {
	if stored <= mine {
		return nil
	}
	return sourceflow.RetryAfter(fmt.Errorf("cqrs: %s: %w", what, newerStateError{stored: stored, mine: mine}), NewerStateRetry)
}

// overNewerState returns ErrNewerState when the stored document, which a
// replay is to replace with replayed, is stamped with a higher version. A
// stored header that does not parse counts as no stamp: a replay may
// replace a corrupt document.
func overNewerState(stored, replayed []byte) error {
	had, _, _ := stateVersionOf(stored)
	mine, _, err := stateVersionOf(replayed)
	if err != nil || had <= mine {
		return err
	}
	return newerStateError{stored: had, mine: mine}
}
