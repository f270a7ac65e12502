package sqldb

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Selected returns the rows keep selects, in their order, each shown to it
// as a message (its uuid, payload and a copy of its metadata) and when it
// was written; every row when keep is nil.
func Selected(rows []WatermillRow, keep func(msg *message.Message, written time.Time) bool) []WatermillRow {
	if keep == nil {
		return rows
	}
	var out []WatermillRow
	for _, r := range rows {
		if keep(r.Message(), r.Written.At) {
			out = append(out, r)
		}
	}
	return out
}
