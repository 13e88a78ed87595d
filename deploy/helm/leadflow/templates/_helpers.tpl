{{/* Chart name, cut to 63 characters (a DNS label). */}}
{{- define "leadflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource-name prefix: release-chart unless overridden, cut so that "-<component>" still fits. */}}
{{- define "leadflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else if contains (include "leadflow.name" .) .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "leadflow.name" .) | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "leadflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "leadflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: leadflow
{{- end }}

{{/* Selector labels of one component ("root" is the chart context, "name" the component): never change them. */}}
{{- define "leadflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leadflow.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "leadflow.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "leadflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "leadflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "leadflow.secretName" -}}
{{- if .Values.secrets.create }}
{{- include "leadflow.fullname" . }}
{{- else }}
{{- required "secrets.existingSecret (or secrets.create with the four values) is required" .Values.secrets.existingSecret }}
{{- end }}
{{- end }}

{{/*
The components the chart runs, as a list of dicts: name, the app's program, its port variable, its values, and for
sinks the destination type (route topic leads.route.<type>) and consumer group leadflow-<name>. The sink catalog of
the code (libs/sink-runtime/src/sink-catalog.ts) is the source of these names; the chart test checks they agree.
*/}}
{{- define "leadflow.components" -}}
{{- $types := dict "table-sink" "azure-table" "https-sink" "https" "dynamics-sink" "dynamics" "salesforce-sink" "salesforce" "marketo-sink" "marketo" }}
{{- $out := list }}
{{- if .Values.ingest.enabled }}
{{- $out = append $out (dict "name" "ingest" "portVar" "LEADFLOW_INGEST_PORT" "values" .Values.ingest "secrets" (list "LEADFLOW_INGEST_TOKENS" "LEADFLOW_ADMIN_TOKENS" "LEADFLOW_SECRET_KEYS" "LEADFLOW_URL_SIGNING_KEY")) }}
{{- end }}
{{- if .Values.router.enabled }}
{{- $out = append $out (dict "name" "router" "portVar" "LEADFLOW_ROUTER_PORT" "values" .Values.router "secrets" (list) "group" "leadflow-router" "topic" "leads.ingested" "partitions" .Values.topics.partitions.ingested) }}
{{- end }}
{{- range $name := keys .Values.sinks | sortAlpha }}
{{- $v := index $.Values.sinks $name }}
{{- if not (hasKey $types $name) }}
{{- fail (printf "sinks.%s: not a leadflow sink (one of %s)" $name (keys $types | sortAlpha | join ", ")) }}
{{- end }}
{{- if $v.enabled }}
{{- $portVar := printf "LEADFLOW_%s_PORT" ($name | replace "-" "_" | upper) }}
{{- $out = append $out (dict "name" $name "portVar" $portVar "values" $v "secrets" (list "LEADFLOW_SECRET_KEYS") "group" (printf "leadflow-%s" $name) "topic" (printf "leads.route.%s" (index $types $name)) "partitions" $.Values.topics.partitions.route "sink" true) }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* True when a component is scaled by KEDA. */}}
{{- define "leadflow.kedaScaled" -}}
{{- if and .root.Values.keda.enabled .c.group .c.values.autoscaling.enabled }}true{{ end }}
{{- end }}

{{/* True when a component's replica count is owned by an autoscaler (KEDA or the HPA). */}}
{{- define "leadflow.autoscaled" -}}
{{- if or (include "leadflow.kedaScaled" .) (and (not .c.group) .c.values.autoscaling.enabled) }}true{{ end }}
{{- end }}

{{/* True when the services reach Kafka with SASL. */}}
{{- define "leadflow.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.security.protocol }}true{{ end }}
{{- end }}

{{/* True when the services reach Kafka over TLS. */}}
{{- define "leadflow.kafkaTls" -}}
{{- if has .Values.kafka.security.protocol (list "SSL" "SASL_SSL") }}true{{ end }}
{{- end }}

{{/* The Kafka security variables of a container (root: chart context). */}}
{{- define "leadflow.kafkaSecurityEnv" -}}
{{- $s := .Values.kafka.security }}
{{- if not (has $s.protocol (list "PLAINTEXT" "SSL" "SASL_PLAINTEXT" "SASL_SSL")) }}
{{- fail (printf "kafka.security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not %s" $s.protocol) }}
{{- end }}
{{- if ne $s.protocol "PLAINTEXT" }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $s.protocol | quote }}
{{- end }}
{{- if include "leadflow.kafkaSasl" . }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $s.saslMechanism | quote }}
- name: KAFKA_SASL_USERNAME_FILE
  value: /etc/leadflow/kafka-sasl/username
- name: KAFKA_SASL_PASSWORD_FILE
  value: /etc/leadflow/kafka-sasl/password
{{- end }}
{{- if and (include "leadflow.kafkaTls" .) $s.caSecret }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/leadflow/kafka-ca/ca.crt
{{- end }}
{{- end }}

{{/* Volume mounts of the Kafka credentials (root: chart context). */}}
{{- define "leadflow.kafkaSecurityMounts" -}}
{{- if include "leadflow.kafkaSasl" . }}
- name: kafka-sasl
  mountPath: /etc/leadflow/kafka-sasl
  readOnly: true
{{- end }}
{{- if and (include "leadflow.kafkaTls" .) .Values.kafka.security.caSecret }}
- name: kafka-ca
  mountPath: /etc/leadflow/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* Volumes of the Kafka credentials of principal `principal` (root: chart context). */}}
{{- define "leadflow.kafkaSecurityVolumes" -}}
{{- $s := .root.Values.kafka.security }}
{{- if include "leadflow.kafkaSasl" .root }}
- name: kafka-sasl
  secret:
    secretName: {{ required "kafka.security.credentialsSecret is required with SASL" $s.credentialsSecret }}
    items:
      - key: {{ .principal }}-username
        path: username
      - key: {{ .principal }}-password
        path: password
{{- end }}
{{- if and (include "leadflow.kafkaTls" .root) $s.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ $s.caSecret }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- end }}
