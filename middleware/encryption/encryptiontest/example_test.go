package encryptiontest_test

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// The fake KMS stands in for AWS KMS: an alias that moves to a new key keeps
// old messages decryptable, and every call is counted.
func ExampleKMS() {
	fake := encryptiontest.New()
	fake.SetAlias("alias/orders", fake.CreateKey())
	enc, err := encryption.NewEncrypter(fake, encryption.EncrypterConfig{KeyID: "alias/orders"})
	if err != nil {
		panic(err)
	}
	dec, err := encryption.NewDecrypter(fake, encryption.DecrypterConfig{})
	if err != nil {
		panic(err)
	}
	msg := message.NewMessage("m-1", []byte(`{"amount":42}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	sealed, err := enc.Encrypt(context.Background(), "orders.fifo", msg)
	if err != nil {
		panic(err)
	}
	fake.SetAlias("alias/orders", fake.CreateKey()) // rotation
	if err := dec.Decrypt(context.Background(), "orders.fifo", sealed); err != nil {
		panic(err)
	}
	calls := fake.Calls()
	fmt.Println(string(sealed.Payload), calls.GenerateDataKey, calls.Decrypt)
	// Output: {"amount":42} 1 1
}
