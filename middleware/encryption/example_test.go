package encryption_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// exampleEncryption returns a fake KMS with one key behind "alias/orders",
// and an Encrypter and a Decrypter of the application "shop" on it. With a
// real KMS, pass a *kms.Client instead of the fake.
func exampleEncryption() (*encryptiontest.KMS, *encryption.Encrypter, *encryption.Decrypter) {
	kms := encryptiontest.New()
	kms.SetAlias("alias/orders", kms.CreateKey())
	enc, err := encryption.NewEncrypter(kms, encryption.EncrypterConfig{KeyID: "alias/orders", AppName: "shop"})
	if err != nil {
		panic(err)
	}
	dec, err := encryption.NewDecrypter(kms, encryption.DecrypterConfig{AppName: "shop"})
	if err != nil {
		panic(err)
	}
	return kms, enc, dec
}

// Example encrypts a message for the "orders" destination and decrypts it on
// the consume side. With a real KMS, pass a *kms.Client instead of the fake.
func Example() {
	kms, enc, dec := exampleEncryption()

	msg := message.NewMessage(watermill.NewUUID(), []byte(`{"order":"o-1"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	sent, err := enc.Encrypt(context.Background(), "orders", msg)
	if err != nil {
		panic(err)
	}
	fmt.Println("plaintext on the wire:", strings.Contains(string(sent.Payload), "o-1"))

	if err := dec.Decrypt(context.Background(), "orders", sent); err != nil {
		panic(err)
	}
	fmt.Println("received:", string(sent.Payload))

	copied := msg.Copy()
	copied, err = enc.Encrypt(context.Background(), "orders", copied)
	if err != nil {
		panic(err)
	}
	err = dec.Decrypt(context.Background(), "payments", copied)
	fmt.Println("copied to payments permanent:", sourceflow.IsPermanent(err))
	fmt.Println("KMS calls:", kms.Calls().GenerateDataKey, kms.Calls().Decrypt)
	// Output:
	// plaintext on the wire: false
	// received: {"order":"o-1"}
	// copied to payments permanent: true
	// KMS calls: 1 1
}
