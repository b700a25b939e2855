{{/* Selector labels: stable for the life of a release. */}}
{{- define "openim-kafka.selectorLabels" -}}
app.kubernetes.io/name: kafka
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels (app.kubernetes.io/* recommended set). */}}
{{- define "openim-kafka.labels" -}}
{{ include "openim-kafka.selectorLabels" . }}
app.kubernetes.io/component: message-queue
app.kubernetes.io/part-of: openim
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "openim-kafka.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "openim-kafka.headless" -}}
{{ .Release.Name }}-headless
{{- end -}}

{{/* In-cluster DNS domain of the nodes: <release>-headless.<namespace>.svc */}}
{{- define "openim-kafka.headlessDomain" -}}
{{ printf "%s.%s.svc" (include "openim-kafka.headless" .) .Release.Namespace }}
{{- end -}}

{{/* controller.quorum.voters: <id>@<pod>.<headless domain>:<controller port> for every node (id = ordinal). */}}
{{- define "openim-kafka.quorumVoters" -}}
{{- $voters := list -}}
{{- range $i := until (int .Values.nodes) -}}
{{- $voters = append $voters (printf "%d@%s-%d.%s:%d" $i $.Release.Name $i (include "openim-kafka.headlessDomain" $) (int $.Values.ports.controller)) -}}
{{- end -}}
{{ join "," $voters }}
{{- end -}}

{{/* Bootstrap servers of this release: every node's client listener. */}}
{{- define "openim-kafka.bootstrap" -}}
{{- if .Values.topics.bootstrapServers -}}
{{ .Values.topics.bootstrapServers }}
{{- else -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.nodes) -}}
{{- $servers = append $servers (printf "%s-%d.%s:%d" $.Release.Name $i (include "openim-kafka.headlessDomain" $) (int $.Values.ports.client)) -}}
{{- end -}}
{{ join "," $servers }}
{{- end -}}
{{- end -}}

{{- define "openim-kafka.topicList" -}}
{{- $topics := list -}}
{{- range .Values.topics.items -}}
{{- $topics = append $topics (printf "%s:%d" .name (int .partitions)) -}}
{{- end -}}
{{ join " " $topics }}
{{- end -}}

{{- define "openim-kafka.groupList" -}}
{{- $groups := list -}}
{{- range .Values.topics.items -}}
{{- if .group -}}
{{- $groups = append $groups (printf "%s:%s" .group .name) -}}
{{- end -}}
{{- end -}}
{{ join " " $groups }}
{{- end -}}

{{- define "openim-kafka.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "openim-kafka.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "openim-kafka.check" -}}
{{- if and (not .Values.broker.enabled) (not .Values.topics.bootstrapServers) -}}
{{- fail "broker.enabled false needs topics.bootstrapServers (the external Kafka)" -}}
{{- end -}}
{{- if and .Values.broker.enabled (gt (int .Values.replication.factor) (int .Values.nodes)) -}}
{{- fail "replication.factor cannot exceed nodes" -}}
{{- end -}}
{{- if and .Values.broker.enabled (gt (int .Values.topics.replicationFactor) (int .Values.nodes)) -}}
{{- fail "topics.replicationFactor cannot exceed nodes" -}}
{{- end -}}
{{- end -}}
