//go:build integration

package integration

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// encKMS creates a KMS key and an alias for it on the emulator and returns
// the client, the key id and the alias name.
func encKMS(t *testing.T) (*kms.Client, string, string) {
	t.Helper()
	client := kms.NewFromConfig(awsConfig(t))
	keyID := encCreateKey(t, client)
	alias := "alias/" + uniqueName("sf-enc", "")
	_, err := client.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &keyID})
	require.NoError(t, err)
	return client, keyID, alias
}

func encCreateKey(t *testing.T, client *kms.Client) string {
	t.Helper()
	out, err := client.CreateKey(context.Background(), &kms.CreateKeyInput{})
	require.NoError(t, err)
	return *out.KeyMetadata.KeyId
}

func encPair(t *testing.T, client *kms.Client, keyRef string) (*encryption.Encrypter, *encryption.Decrypter) {
	t.Helper()
	enc, err := encryption.NewEncrypter(client, encryption.EncrypterConfig{KeyID: keyRef, AppName: "sf-it"})
	require.NoError(t, err)
	dec, err := encryption.NewDecrypter(client, encryption.DecrypterConfig{AppName: "sf-it"})
	require.NoError(t, err)
	return enc, dec
}

func encMsg(typ, payload string) *message.Message {
	m := message.NewMessage(watermill.NewUUID(), []byte(payload))
	m.Metadata.Set(sourceflow.MetaType, typ)
	return m
}

func TestEncryption_RoundTripThroughKMS(t *testing.T) {
	client, _, alias := encKMS(t)
	enc, dec := encPair(t, client, alias)
	ctx := context.Background()
	require.NoError(t, enc.Check(ctx))

	for i := range 20 {
		payload := strings.Repeat("payload-", i*100)
		out, err := enc.Encrypt(ctx, "orders", encMsg("orders.CreateOrder", payload))
		require.NoError(t, err)
		require.NoError(t, dec.Decrypt(ctx, "orders", out))
		require.Equal(t, payload, string(out.Payload))
	}
	assert.Equal(t, int64(1), enc.Stats().GenerateDataKeyCalls)
	assert.Equal(t, int64(1), dec.Stats().DecryptCalls)
}

func TestEncryption_RawSQSCarriesNoPlaintext(t *testing.T) {
	client, _, alias := encKMS(t)
	enc, dec := encPair(t, client, alias)
	ctx := context.Background()
	q := sqs.NewFromConfig(awsConfig(t))
	queue := uniqueName("sf-enc", "")
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &queue})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })

	secret := `{"customer":"alice@example.com","card":"4111111111111111","note":"deliver to the back door"}`
	out, err := enc.Encrypt(ctx, queue, encMsg("orders.CreateOrder", secret))
	require.NoError(t, err)
	attrs := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range out.Metadata {
		attrs[k] = sqstypes.MessageAttributeValue{DataType: encStr("String"), StringValue: encStr(v)}
	}
	body := string(out.Payload)
	_, err = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: &body, MessageAttributes: attrs})
	require.NoError(t, err)

	// One receive may answer none on a loaded emulator (SQS samples a
	// standard queue's hosts too): receive until it comes.
	var got sqstypes.Message
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		recv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: created.QueueUrl, WaitTimeSeconds: 2, MessageAttributeNames: []string{"All"},
		})
		if assert.NoError(c, err) && assert.Len(c, recv.Messages, 1) {
			got = recv.Messages[0]
		}
	}, time.Minute, 10*time.Millisecond)
	wireText := *got.Body
	in := message.NewMessage(watermill.NewUUID(), []byte(*got.Body))
	for k, v := range got.MessageAttributes {
		wireText += k + "=" + *v.StringValue
		in.Metadata.Set(k, *v.StringValue)
	}
	for i := 0; i+8 <= len(secret); i++ {
		require.NotContains(t, wireText, secret[i:i+8], "plaintext substring on the wire")
	}
	require.NoError(t, dec.Decrypt(ctx, queue, in))
	assert.Equal(t, secret, string(in.Payload))
}

func TestEncryption_RotationAliasMoved(t *testing.T) {
	client, oldKey, alias := encKMS(t)
	ctx := context.Background()
	encOld, _ := encPair(t, client, alias)
	old, err := encOld.Encrypt(ctx, "orders", encMsg("orders.CreateOrder", "before rotation"))
	require.NoError(t, err)

	newKey := encCreateKey(t, client)
	_, err = client.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: &alias, TargetKeyId: &newKey})
	require.NoError(t, err)
	encNew, dec := encPair(t, client, alias) // a restarted producer: fresh data keys
	fresh, err := encNew.Encrypt(ctx, "orders", encMsg("orders.CreateOrder", "after rotation"))
	require.NoError(t, err)

	hOld, _, err := encryption.ParseHeader(old.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	hNew, _, err := encryption.ParseHeader(fresh.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	assert.Contains(t, hOld.KeyID, oldKey)
	assert.Contains(t, hNew.KeyID, newKey)

	require.NoError(t, dec.Decrypt(ctx, "orders", old))
	require.NoError(t, dec.Decrypt(ctx, "orders", fresh))
	assert.Equal(t, "before rotation", string(old.Payload))
	assert.Equal(t, "after rotation", string(fresh.Payload))
}

func TestEncryption_ContextMismatchIsPermanent(t *testing.T) {
	client, _, alias := encKMS(t)
	enc, dec := encPair(t, client, alias)
	ctx := context.Background()
	out, err := enc.Encrypt(ctx, "orders", encMsg("orders.CreateOrder", "for orders only"))
	require.NoError(t, err)

	copied := out.Copy()
	err = dec.Decrypt(ctx, "payments", copied)
	require.ErrorIs(t, err, encryption.ErrContextMismatch)
	assert.True(t, sourceflow.IsPermanent(err))

	// KMS itself refuses the wrapped key under another context.
	h, _, err := encryption.ParseHeader(out.Metadata.Get(sourceflow.MetaEncryption))
	require.NoError(t, err)
	moved := h.Context
	moved.Destination = "payments"
	_, err = client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: h.WrappedKey, EncryptionContext: moved.Map()})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "%v", err)
	assert.Equal(t, "InvalidCiphertextException", api.ErrorCode())

	// A header rewritten to claim the new destination fails on KMS too.
	h.Context = moved
	forged, err := h.Encode()
	require.NoError(t, err)
	copied.Metadata.Set(sourceflow.MetaEncryption, forged)
	err = dec.Decrypt(ctx, "payments", copied)
	require.ErrorIs(t, err, encryption.ErrTampered)
	assert.True(t, sourceflow.IsPermanent(err))

	require.NoError(t, dec.Decrypt(ctx, "orders", out), "the original still decrypts where it belongs")
}

// A disabled key is retried (the message is redelivered) until KMS has
// refused it for KeyRefusalGrace, then permanent; enabled again, it serves.
func TestEncryption_DisabledKeyIsRetriedThenPermanent(t *testing.T) {
	skipOnMoto(t, "moto decrypts with a disabled KMS key")
	client, keyID, alias := encKMS(t)
	enc, _ := encPair(t, client, alias)
	clock := clocktest.NewStepping(time.Now())
	dec, err := encryption.NewDecrypter(client, encryption.DecrypterConfig{AppName: "sf-it", Clock: clock})
	require.NoError(t, err)
	ctx := context.Background()
	out, err := enc.Encrypt(ctx, "orders", encMsg("orders.CreateOrder", "x"))
	require.NoError(t, err)
	_, err = client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &keyID})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = client.EnableKey(context.Background(), &kms.EnableKeyInput{KeyId: &keyID}) })

	err = dec.Decrypt(ctx, "orders", out)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.False(t, sourceflow.IsPermanent(err), "retried within the grace")
	clock.Advance(encryption.KeyRefusalGrace)
	err = dec.Decrypt(ctx, "orders", out)
	require.ErrorIs(t, err, encryption.ErrKeyUnavailable)
	assert.True(t, sourceflow.IsPermanent(err), "past the grace")
	require.ErrorIs(t, enc.Check(ctx), encryption.ErrKeyUnavailable)

	_, err = client.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &keyID})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return dec.Decrypt(ctx, "orders", out) == nil }, 5*time.Second, 100*time.Millisecond)
}

func encStr(s string) *string { return &s }
