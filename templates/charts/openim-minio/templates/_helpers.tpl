{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-minio.selectorLabels" -}}
app.kubernetes.io/name: minio
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-minio.labels" -}}
{{ include "openim-minio.selectorLabels" . }}
app.kubernetes.io/component: object-storage
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "openim-minio.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "openim-minio.headless" -}}
{{ .Release.Name }}-headless
{{- end -}}

{{- define "openim-minio.mcImage" -}}
{{- if .Values.mcImage.digest -}}
{{ .Values.mcImage.repository }}@{{ .Values.mcImage.digest }}
{{- else -}}
{{ .Values.mcImage.repository }}:{{ .Values.mcImage.tag }}
{{- end -}}
{{- end -}}

{{- define "openim-minio.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "openim-minio.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "openim-minio.check" -}}
{{- if and (gt (int .Values.nodes) 1) (lt (int .Values.nodes) 4) -}}
{{- fail "distributed MinIO needs at least 4 nodes (erasure coding); use 1 for a single drive" -}}
{{- end -}}
{{- end -}}
