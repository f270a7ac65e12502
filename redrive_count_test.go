package sourceflow_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestCountRedrive_AddsOneAndStampsTheTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 13, 4, 8, 5, time.FixedZone("CET", 3600))
	md := map[string]string{}
	sourceflow.CountRedrive(md, at)
	assert.Equal(t, "1", md[sourceflow.MetaRedrives])
	assert.Equal(t, "2026-12-07T12:04:08.000000005Z", md[sourceflow.MetaRedrivenAt])
	sourceflow.CountRedrive(md, at.Add(time.Hour))
	assert.Equal(t, "2", md[sourceflow.MetaRedrives])
	assert.Equal(t, "2026-12-07T13:04:08.000000005Z", md[sourceflow.MetaRedrivenAt])
	assert.Equal(t, 2, sourceflow.Redrives(md))
}

func TestCountRedrive_CountsAnUnreadableCountAsNone(t *testing.T) {
	md := map[string]string{sourceflow.MetaRedrives: "many"}
	assert.Equal(t, 0, sourceflow.Redrives(md))
	sourceflow.CountRedrive(md, time.Unix(0, 0))
	assert.Equal(t, "1", md[sourceflow.MetaRedrives])
}

func TestRedriveKeysTravelInTheEnvelope(t *testing.T) {
	assert.True(t, sourceflow.IsEnvelopeKey(sourceflow.MetaRedrives))
	assert.True(t, sourceflow.IsEnvelopeKey(sourceflow.MetaRedrivenAt))
}
