package awsbus

// chunks splits out into batches of at most 10 messages and limit bytes.
func chunks(out []outgoing, limit int) [][]outgoing {
	var batches [][]outgoing
	var cur []outgoing
	size := 0
	for _, o := range out {
		n := o.wire.size()
		if len(cur) == maxBatchEntries || (len(cur) > 0 && size+n > limit) {
			batches = append(batches, cur)
			cur, size = nil, 0
		}
		cur = append(cur, o)
		size += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// fifoChunks splits out, for a FIFO endpoint, into batches of at most 10
// messages and limit bytes that carry at most one message of each group,
// every message in a later batch than the one before it of its group. AWS
// may accept an entry of a batch and fail an earlier one of the same group:
// with one entry per group, no message is accepted ahead of an earlier one
// of its group that failed, as long as the batches go one after the other
// and stop at the first with a failure (sendBatches). Each message goes to
// the first batch that has room after its group's previous one, so
// different groups still share calls.
func fifoChunks(out []outgoing, limit int) [][]outgoing {
	var batches [][]outgoing
	var sizes []int
	next := map[string]int{} // group → first batch its next message may join
	for _, o := range out {
		n := o.wire.size()
		i := next[o.group]
		for i < len(batches) && (len(batches[i]) == maxBatchEntries || sizes[i]+n > limit) {
			i++
		}
		if i == len(batches) {
			batches = append(batches, nil)
			sizes = append(sizes, 0)
		}
		batches[i] = append(batches[i], o)
		sizes[i] += n
		next[o.group] = i + 1
	}
	return batches
}
