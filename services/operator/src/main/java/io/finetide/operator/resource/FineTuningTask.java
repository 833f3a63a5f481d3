package io.finetide.operator.resource;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A task of the platform declared in Kubernetes: its name is the task's name, its {@code spec} the task definition
 * as {@code POST /api/v1/tasks} takes it, its {@code status} what the platform made of it.
 */
@Group(FineTuningTask.GROUP)
@Version(FineTuningTask.VERSION)
@Kind(FineTuningTask.KIND)
@Plural(FineTuningTask.PLURAL)
@Singular("finetuningtask")
@ShortNames("ftt")
public class FineTuningTask extends CustomResource<FineTuningTaskSpec, FineTuningTaskStatus> implements Namespaced {

    public static final String GROUP = "finetide.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "FineTuningTask";
    public static final String PLURAL = "finetuningtasks";

    @Override
    protected FineTuningTaskSpec initSpec() {
        return new FineTuningTaskSpec();
    }

    @Override
    protected FineTuningTaskStatus initStatus() {
        return null;
    }
}
