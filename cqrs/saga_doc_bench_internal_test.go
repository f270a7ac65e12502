package cqrs

import (
	"encoding/json"
	"strconv"
	"testing"
)

// BenchmarkSagaDocumentUpdate measures what each command of a long-lived
// saga entity costs in its document: decoding it with the 32 commands it
// applied most recently (one event each), and encoding it again with the
// oldest dropped and the newest added.
//
//	go test -run '^$' -bench SagaDocumentUpdate -benchmem ./cqrs
func BenchmarkSagaDocumentUpdate(b *testing.B) {
	var recent []map[string]any
	for i := range recentApplied {
		recent = append(recent, map[string]any{"id": "m-" + strconv.Itoa(i), "events": []map[string]any{
			{"type": "OrderCreated", "payload": []byte(`{"orderId":"order-1","customer":"c-1","amount":` + strconv.Itoa(i) + `}`)},
		}})
	}
	stored, err := json.Marshal(map[string]any{"state": []byte(`{"customer":"c-1","amount":1,"paid":true}`), "recent": recent})
	if err != nil {
		b.Fatal(err)
	}
	g := &Saga[struct{}]{name: "order"}
	b.ReportAllocs()
	for b.Loop() {
		var doc sagaDoc
		if _, err := g.decodeDoc(stored, &doc, "order-1"); err != nil {
			b.Fatal(err)
		}
		doc.Recent = append(doc.Recent[1:], doc.Recent[0])
		if _, err := json.Marshal(doc); err != nil {
			b.Fatal(err)
		}
	}
}
