{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-mongodb.selectorLabels" -}}
app.kubernetes.io/name: mongodb
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-mongodb.labels" -}}
{{ include "openim-mongodb.selectorLabels" . }}
app.kubernetes.io/component: database
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "openim-mongodb.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "openim-mongodb.headless" -}}
{{ .Release.Name }}-headless
{{- end -}}

{{/* host:port of every member, as the replica-set config and OpenIM name them. */}}
{{- define "openim-mongodb.members" -}}
{{- $hosts := list -}}
{{- range $i := until (int .Values.nodes) -}}
{{- $hosts = append $hosts (printf "%s-%d.%s.%s.svc:%d" $.Release.Name $i (include "openim-mongodb.headless" $) $.Release.Namespace (int $.Values.port)) -}}
{{- end -}}
{{ join "," $hosts }}
{{- end -}}

{{- define "openim-mongodb.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "openim-mongodb.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "openim-mongodb.check" -}}
{{- if and (gt (int .Values.nodes) 1) (not .Values.replicaSet.enabled) -}}
{{- fail "nodes > 1 needs replicaSet.enabled: independent members would each hold different data" -}}
{{- end -}}
{{- end -}}
