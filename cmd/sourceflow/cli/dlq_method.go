package cli

import (
	"errors"
	"fmt"
)

// Redrive methods of --method.
const (
	methodAuto   = "auto"
	methodNative = "native"
	methodCopy   = "copy"
)

// redrivePlan is the method a redrive runs, and why.
type redrivePlan struct {
	method string
	why    string
	// fallback is true when auto chose native: copy runs if the endpoint
	// cannot start a move task.
	fallback bool
}

// chooseMethod picks the method of f for pair p at rate messages a second
// (0: no limit). auto takes SQS's native move task for a standard queue
// moved whole within its rate limit, and copy otherwise: on FIFO, copy
// derives deduplication ids that a source queue cannot mistake for the
// messages' first sends, and it removes the failure attributes.
func chooseMethod(f redriveFlags, p dlqPair, rate int) (redrivePlan, error) {
	switch f.method {
	case methodCopy:
		return redrivePlan{method: methodCopy, why: "--method copy"}, nil
	case methodNative:
		if f.resetHops {
			return redrivePlan{}, errors.New("--reset-hops: the native method (an SQS message move task) moves each message " +
				"unchanged, its hop count (sf_hops) included; use --method copy, or leave --method out")
		}
		if f.sel.only {
			return redrivePlan{}, errors.New("--type: the native method (an SQS message move task) moves every message, " +
				"whatever its type; use --method copy, or leave --method out")
		}
		if f.sel.any() {
			return redrivePlan{}, errors.New("--reason, --before, --after: the native method (an SQS message move task) moves every message, " +
				"whatever its reason or age; use --method copy, or leave --method out")
		}
		if f.max > 0 {
			return redrivePlan{}, fmt.Errorf("--max %d: the native method moves every message; use --method copy to stop after --max", f.max)
		}
		if rate > maxNativeRate {
			return redrivePlan{}, fmt.Errorf("--rate %d/s: the native method moves at most %d/s", rate, maxNativeRate)
		}
		return redrivePlan{method: methodNative, why: "--method native"}, nil
	case methodAuto:
	default:
		return redrivePlan{}, fmt.Errorf("--method %q: want auto, native or copy", f.method)
	}
	switch {
	case f.sel.only:
		return redrivePlan{method: methodCopy, why: "--type: only a copy picks messages by type"}, nil
	case f.resetHops:
		return redrivePlan{method: methodCopy, why: "--reset-hops: only a copy changes a message"}, nil
	case f.sel.any():
		return redrivePlan{method: methodCopy, why: "--reason, --before, --after: only a copy picks messages"}, nil
	case p.fifo:
		return redrivePlan{method: methodCopy, why: "FIFO: group ids kept, deduplication ids derived from the message ids"}, nil
	case f.max > 0:
		return redrivePlan{method: methodCopy, why: "--max stops a copy, not a move task"}, nil
	case rate > maxNativeRate:
		return redrivePlan{method: methodCopy, why: fmt.Sprintf("--rate above the native %d/s", maxNativeRate)}, nil
	}
	return redrivePlan{method: methodNative, why: "standard queue: SQS message move task", fallback: true}, nil
}
