{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-service.selectorLabels" -}}
app.kubernetes.io/name: {{ .Values.module }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-service.labels" -}}
{{ include "openim-service.selectorLabels" . }}
app.kubernetes.io/component: {{ .Values.product }}
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.version }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* image reference: repository:tag, or repository@digest when pinned. */}}
{{- define "openim-service.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* The gRPC port must be named exactly "grpc" and listed first: OpenIM's msggateway fan-out reads Endpoint ports by that name. */}}
{{- define "openim-service.checkPorts" -}}
{{- range $i, $p := .Values.ports }}
{{- if and (eq $p.name "grpc") (ne $i 0) }}
{{- fail (printf "ports: the grpc port of %s must be listed first (found at position %d)" $.Values.module $i) }}
{{- end }}
{{- end }}
{{- end -}}
