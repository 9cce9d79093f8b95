package com.example.billing;

public final class App {
    public static void main(String[] args) {
        System.out.println("billing started");
    }
}
