{{/* Chart name, full name (prefix of every object) and chart label. */}}
{{- define "symbolon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "symbolon.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels every pod of this release carries (used by the release-wide NetworkPolicies). */}}
{{- define "symbolon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "symbolon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "symbolon.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "symbolon.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: symbolon
{{- end -}}

{{/* Selector labels of one component: dict "root" $ "component" "gateway". */}}
{{- define "symbolon.componentSelectorLabels" -}}
{{ include "symbolon.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "symbolon.componentLabels" -}}
{{ include "symbolon.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image of an app: dict "root" $ "app" "gateway". */}}
{{- define "symbolon.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .app .root.Values.image.tag -}}
{{- end -}}

{{/* Pod-level security context: the "restricted" Pod Security profile. */}}
{{- define "symbolon.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context: the "restricted" Pod Security profile plus a read-only root file system. */}}
{{- define "symbolon.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Environment every service shares: NATS (its own nkey seed file and inbox prefix), logging, region.
     dict "root" $ "inboxPrefix" "_INBOX_gateway". */}}
{{- define "symbolon.commonEnv" -}}
- name: SYMBOLON_NATS_URL
  value: {{ include "symbolon.natsUrl" .root | quote }}
- name: SYMBOLON_NATS_NKEY_FILE
  value: /var/run/secrets/symbolon/nats/{{ .root.Values.nats.seedKey }}
- name: SYMBOLON_NATS_INBOX_PREFIX
  value: {{ .inboxPrefix | quote }}
- name: SYMBOLON_LOG_LEVEL
  value: {{ .root.Values.logLevel | quote }}
- name: SYMBOLON_REGION
  value: {{ .root.Values.region | quote }}
{{- if .root.Values.nats.tls.enabled }}
- name: SYMBOLON_NATS_TLS_CA_FILE
  value: /var/run/secrets/symbolon/nats-tls/ca.crt
- name: SYMBOLON_NATS_TLS_CERT_FILE
  value: /var/run/secrets/symbolon/nats-tls/tls.crt
- name: SYMBOLON_NATS_TLS_KEY_FILE
  value: /var/run/secrets/symbolon/nats-tls/tls.key
{{- end }}
{{- end -}}

{{/* nats.url, with the tls:// scheme when nats.tls.enabled (the client then insists on TLS). */}}
{{- define "symbolon.natsUrl" -}}
{{- if .Values.nats.tls.enabled -}}
{{- regexReplaceAll "(^|,)nats://" .Values.nats.url "${1}tls://" -}}
{{- else -}}
{{- .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/* Mount of the NATS TLS files (CA and the pod's own client certificate), when nats.tls.enabled. */}}
{{- define "symbolon.natsTlsMount" -}}
{{- if .Values.nats.tls.enabled }}
- name: nats-tls
  mountPath: /var/run/secrets/symbolon/nats-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Volume of the NATS TLS files: the CA from nats.tls.caSecret and the client certificate Secret
     (kubernetes.io/tls) of this NATS user, required: dict "root" $ "secret" "..." "who" "nats.users.gateway.tlsSecret". */}}
{{- define "symbolon.natsTlsVolume" -}}
{{- if .root.Values.nats.tls.enabled }}
- name: nats-tls
  projected:
    defaultMode: 0440
    sources:
      - secret:
          name: {{ required "nats.tls.caSecret: the Secret with the CA certificate (ca.crt) is required when nats.tls.enabled" .root.Values.nats.tls.caSecret }}
          items:
            - key: ca.crt
              path: ca.crt
      - secret:
          name: {{ required (printf "%s: the client certificate Secret (kubernetes.io/tls) of this NATS user is required when nats.tls.enabled" .who) .secret }}
          items:
            - key: tls.crt
              path: tls.crt
            - key: tls.key
              path: tls.key
{{- end }}
{{- end -}}

{{/* Fails unless every NATS user of the release has its own client certificate Secret (nats.tls.enabled). */}}
{{- define "symbolon.natsTlsDistinct" -}}
{{- if .Values.nats.tls.enabled -}}
{{- $seen := dict -}}
{{- $names := list -}}
{{- range $svc := list "gateway" "coordinator" "policy" "audit" "storage" }}{{ $names = append $names (index $.Values.nats.users $svc).tlsSecret }}{{ end -}}
{{- range .Values.hsm.nodes }}{{ $names = append $names .nats.tlsSecret }}{{ end -}}
{{- range $names -}}
{{- if and . (hasKey $seen .) -}}
{{- fail (printf "nats TLS: client certificate Secret %s is given to two NATS users; each service and hsm node needs its own" .) -}}
{{- end -}}
{{- $_ := set $seen (toString .) true -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* PostgreSQL settings of a service that owns a schema; migrations run in the hook Job. The URL (a secret) is read
     from the mounted Secret file (SYMBOLON_DB_URL_FILE), never put in the environment by Kubernetes. */}}
{{- define "symbolon.databaseEnv" -}}
- name: SYMBOLON_DB_TYPE
  value: postgres
- name: SYMBOLON_DB_MIGRATE
  value: "false"
- name: SYMBOLON_DB_URL_FILE
  value: /var/run/secrets/symbolon/database/url
{{- end -}}

{{/* Mount and volume of the database URL Secret (database.existingSecret, key urlKey) as the file `url`. */}}
{{- define "symbolon.databaseMount" -}}
- name: database
  mountPath: /var/run/secrets/symbolon/database
  readOnly: true
{{- end -}}

{{- define "symbolon.databaseVolume" -}}
- name: database
  secret:
    secretName: {{ .Values.database.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.database.urlKey }}
        path: url
{{- end -}}

{{/* Metrics / health listener of a non-gateway service. */}}
{{- define "symbolon.metricsEnv" -}}
- name: SYMBOLON_METRICS_HOST
  value: 0.0.0.0
- name: SYMBOLON_METRICS_PORT
  value: {{ .port | quote }}
{{- end -}}

{{/* Probes on /health of a named port. */}}
{{- define "symbolon.probes" -}}
livenessProbe:
  httpGet:
    path: /health
    port: {{ . }}
  initialDelaySeconds: 10
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 6
readinessProbe:
  httpGet:
    path: /health
    port: {{ . }}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Preferred spreading of a component's replicas over nodes. */}}
{{- define "symbolon.antiAffinity" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "symbolon.componentSelectorLabels" . | nindent 12 }}
{{- end -}}

{{/* The nkey public key of a NATS user, required: dict "key" "..." "who" "nats.users.gateway.nkey". */}}
{{- define "symbolon.nkey" -}}
{{- required (printf "%s: the nkey public key (U...) of this NATS user is required" .who) .key -}}
{{- end -}}

{{/* An hsm node's NATS inbox prefix, from the permission template. */}}
{{- define "symbolon.hsmInboxPrefix" -}}
{{- $tpl := .root.Files.Get "files/nats-permissions.json" | fromJson -}}
{{- $tpl.hsmNode.inboxPrefix | replace "{{node}}" (.id | replace "-" "_") -}}
{{- end -}}

{{/* One field of every hsm node, comma-separated: dict "nodes" .Values.hsm.nodes "field" "id". */}}
{{- define "symbolon.hsmNodeField" -}}
{{- $out := list -}}
{{- range .nodes }}{{ $out = append $out (index . $.field) }}{{ end -}}
{{- join "," $out -}}
{{- end -}}
