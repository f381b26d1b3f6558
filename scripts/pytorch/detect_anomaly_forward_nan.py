"""What PyTorch's detect_anomaly does with tutorial 08's bug 2 (log of a negative pre-activation).

Run: python3 scripts/pytorch/detect_anomaly_forward_nan.py

Recorded with torch 2.15.0 (CPU):
    loss nan
    detect_anomaly raised: nothing
    every weight gradient finite: True

detect_anomaly checks only backward results; log's backward is grad / h, finite wherever h != 0,
so the NaN loss passes unnoticed. Tutorial 08's README cites this.
"""
import torch

torch.manual_seed(0)
x = torch.randn(4, 6)
w = torch.randn(5, 6, requires_grad=True)
raised = "nothing"
try:
    with torch.autograd.detect_anomaly():
        loss = (x @ w.T).log().mean()
        print("loss", loss.item())
        loss.backward()
except RuntimeError as error:
    raised = str(error).splitlines()[0]
print("detect_anomaly raised:", raised)
print("every weight gradient finite:", bool(torch.isfinite(w.grad).all()) if w.grad is not None else None)
