package io.finetide.model.optim;

/** How the gradients move the parameters. */
public enum Optimizer {
    /** Adam with decoupled weight decay (Loshchilov and Hutter), none on biases and LayerNorms. */
    ADAMW,
    /** SGD with (heavy-ball) momentum; weight decay as an L2 term added to the gradient, as in PyTorch. */
    SGD
}
