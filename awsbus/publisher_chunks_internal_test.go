package awsbus

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFIFOChunksKeepEntriesBytesAndGroupOrder(t *testing.T) {
	msg := func(id string) outgoing {
		return outgoing{wire: wireMessage{uuid: id, body: strings.Repeat("x", 100)}, group: id[:1]}
	}
	var out []outgoing
	for _, id := range []string{"a1", "b1", "a2", "c1", "d1", "a3", "e1"} {
		out = append(out, msg(id))
	}
	uuids := func(batches [][]outgoing) [][]string {
		var got [][]string
		for _, b := range batches {
			var ids []string
			for _, o := range b {
				ids = append(ids, o.wire.uuid)
			}
			got = append(got, ids)
		}
		return got
	}
	assert.Equal(t, [][]string{{"a1", "b1", "c1", "d1", "e1"}, {"a2"}, {"a3"}}, uuids(fifoChunks(out, 1<<20)),
		"one message of each group per batch, every group in order")
	assert.Equal(t, [][]string{{"a1", "b1"}, {"a2", "c1"}, {"d1", "a3"}, {"e1"}}, uuids(fifoChunks(out, 250)),
		"at most limit bytes per batch")

	var many []outgoing
	for _, id := range strings.Split("abcdefghijkl", "") {
		many = append(many, msg(id+"1"))
	}
	assert.Len(t, fifoChunks(many, 1<<20), 2, "at most 10 entries per batch")
}
