package awsbustest

// entryIDs returns the id of every entry of a batch request, in order.
func entryIDs[E any](entries []E, id func(E) *string) []*string {
	ids := make([]*string, len(entries))
	for i, e := range entries {
		ids[i] = id(e)
	}
	return ids
}

// runBatch runs the entries of the batch call op, whose ids are ids, in
// order: do runs entry i and returns its result. An entry the faults fail
// (FailNextEntries) fails with a server-side InternalError and is not run;
// an entry do refuses fails with do's error, as the sender's fault. fail
// builds a failed entry of the service's type.
func runBatch[R, F any](f *Faults, op string, ids []*string, do func(i int) (R, error),
	fail func(id *string, code, msg string, sender bool) F) (ok []R, failed []F) {
	for i, id := range ids {
		if f.entryFault(op) {
			failed = append(failed, fail(id, "InternalError", "injected entry failure", false))
			continue
		}
		r, err := do(i)
		if err != nil {
			failed = append(failed, fail(id, errorCode(err), err.Error(), true))
			continue
		}
		ok = append(ok, r)
	}
	return ok, failed
}
