package idempotency_test

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

func Example() {
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	// In a router the consumer defaults to the handler name; here the
	// handler runs on its own, so name it.
	mw, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "billing"})
	if err != nil {
		panic(err)
	}
	handler := mw.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		fmt.Println("charging for", string(msg.Payload))
		return nil, nil
	})

	for range 3 { // the same logical message, delivered three times
		msg := message.NewMessage("transport-id", []byte("order-42"))
		msg.Metadata.Set(sourceflow.MetaMessageID, "5b1e0c1a")
		if _, err := handler(msg); err != nil {
			panic(err)
		}
	}
	st := mw.Stats()
	fmt.Println("claims:", st.Claims, "duplicates:", st.Duplicates)
	// Output:
	// charging for order-42
	// claims: 1 duplicates: 2
}
