{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-redis.selectorLabels" -}}
app.kubernetes.io/name: redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-redis.labels" -}}
{{ include "openim-redis.selectorLabels" . }}
app.kubernetes.io/component: cache
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "openim-redis.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "openim-redis.headless" -}}
{{ .Release.Name }}-headless
{{- end -}}

{{- define "openim-redis.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "openim-redis.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "openim-redis.check" -}}
{{- if and (eq .Values.mode "standalone") (ne (int .Values.nodes) 1) -}}
{{- fail "mode standalone runs exactly one node: use mode cluster for more" -}}
{{- end -}}
{{- if and (eq .Values.mode "cluster") (lt (int .Values.nodes) (mul 3 (add1 (int .Values.clusterReplicas)))) -}}
{{- fail (printf "mode cluster needs at least 3 masters x (1 + clusterReplicas %d) = %d nodes, got %d" (int .Values.clusterReplicas) (mul 3 (add1 (int .Values.clusterReplicas))) (int .Values.nodes)) -}}
{{- end -}}
{{- end -}}
